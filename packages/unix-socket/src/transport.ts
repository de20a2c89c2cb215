import {
  type Connection,
  type ConnectOptions,
  isAbstractSocketName,
  type Listener,
  type Transport,
  type TransportCapabilities,
  unsupportedPlatform,
  validateSocketPath,
} from '@localwire/transport';
import { connectUnix } from './connect.js';
import { listenAborted } from './errors.js';
import { UnixSocketListener } from './listener.js';
import { socketFileMode, type UnixSocketListenOptions } from './options.js';
import { peerCredentialFields } from './peer-credentials.js';

/** The Unix domain socket {@link Transport}, with its own listen options. */
export type UnixSocketTransport = Transport<UnixSocketListenOptions, ConnectOptions>;

function assertUnix(): void {
  // On Windows, node:net maps socket paths to named pipes: use @localwire/named-pipe.
  if (process.platform === 'win32') {
    throw unsupportedPlatform('@localwire/unix-socket', 'Linux, macOS and other Unix systems');
  }
}

async function listen(address: string, options: UnixSocketListenOptions = {}): Promise<Listener> {
  assertUnix();
  validateSocketPath(address);
  const mode = socketFileMode(address, options, isAbstractSocketName(address));
  const { signal } = options;
  if (signal?.aborted) {
    throw listenAborted(address, signal);
  }
  return UnixSocketListener.open(address, mode, signal);
}

async function connect(address: string, options?: ConnectOptions): Promise<Connection> {
  assertUnix();
  return connectUnix(address, options);
}

/**
 * Unix domain sockets over `node:net`: each {@link Connection} is the
 * `net.Socket` itself, with the peer's pid/uid/gid in `peer`.
 *
 * - `listen` creates the socket file `0600` (see `mode`/`access`), recovers a
 *   stale socket left by a dead server, refuses a path that is too long, and
 *   removes its file on `close()`. A path starting with `\0` is a Linux
 *   abstract name (no file; needs `access: 'everyone'`).
 * - `connect` waits for a server whose backlog is full, within `timeout`/`signal`.
 *
 * @example
 * ```ts
 * const listener = await unixSocketTransport.listen('/run/user/1000/app.sock');
 * listener.on('connection', (conn) => conn.pipe(conn));
 * const conn = await unixSocketTransport.connect('/run/user/1000/app.sock', { timeout: 5000 });
 * ```
 */
export const unixSocketTransport: UnixSocketTransport = Object.freeze({
  name: 'unix-socket',
  get capabilities(): TransportCapabilities {
    return { halfClose: true, peerCredentials: peerCredentialFields() };
  },
  listen,
  connect,
});
