import type { Connection, Listener, Transport, TransportCapabilities } from '@localwire/transport';
import { unsupportedPlatform } from '@localwire/transport/author';
import { connectUnix } from './connect.js';
import { listenAborted } from './errors.js';
import { UnixSocketListener } from './listener.js';
import {
  socketFileMode,
  type UnixSocketConnectOptions,
  type UnixSocketListenOptions,
} from './options.js';
import { peerCredentialFields } from './peer-credentials.js';
import { isAbstractSocketName, validateSocketPath } from './socket-path.js';

declare module '@localwire/transport' {
  /** Unix sockets' connect options, for code that cannot infer them from the transport. */
  interface ConnectOptionsByTransport {
    'unix-socket': UnixSocketConnectOptions;
  }
}

/** The Unix domain socket {@link Transport}, with its own listen and connect options. */
export type UnixSocketTransport = Transport<UnixSocketListenOptions, UnixSocketConnectOptions>;

function assertUnix(): void {
  // On Windows, node:net maps socket paths to named pipes: use @localwire/named-pipe.
  if (process.platform === 'win32') {
    throw unsupportedPlatform('@localwire/unix-socket', 'Linux, macOS and other Unix systems');
  }
}

async function listen(address: string, options: UnixSocketListenOptions = {}): Promise<Listener> {
  assertUnix();
  validateSocketPath(address);
  const abstract = isAbstractSocketName(address);
  const mode = socketFileMode(address, options, abstract);
  const { signal } = options;
  if (signal?.aborted) {
    throw listenAborted(address, signal);
  }
  const ownUserOnly = abstract && options.access !== 'everyone';
  return UnixSocketListener.open(address, { mode, ownUserOnly }, signal);
}

async function connect(address: string, options?: UnixSocketConnectOptions): Promise<Connection> {
  assertUnix();
  return connectUnix(address, options);
}

/**
 * Unix domain sockets over `node:net`: each {@link Connection} is the
 * `net.Socket` itself, with the peer's pid/uid/gid in `peer`.
 *
 * - `listen` refuses a directory another user could write (unless sticky),
 *   creates the socket file `0600` (see `mode`/`access`), recovers a stale
 *   socket left by a dead server, refuses a path that is too long, and
 *   removes its file on `close()`. A path starting with `\0` is a Linux
 *   abstract name: no file, and with `access: 'user'` (the default) every
 *   connection from another user is closed at accept.
 * - `connect` refuses (`EACCES`) a server run by another user unless told
 *   to trust it (`trustUids`, `verifyOwner: false`), and waits for a server
 *   whose backlog is full, within `timeout`/`signal`.
 *
 * @example
 * {@includeCode ../examples/listen-connect.ts}
 */
export const unixSocketTransport: UnixSocketTransport = Object.freeze({
  name: 'unix-socket',
  get capabilities(): TransportCapabilities {
    return { halfClose: true, peerCredentials: peerCredentialFields() };
  },
  listen,
  connect,
});
