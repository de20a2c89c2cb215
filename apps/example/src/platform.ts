/**
 * The one place that knows which transport this OS uses: Windows named pipes
 * on win32, Unix domain sockets everywhere else.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namedPipeTransport, PIPE_PREFIX } from '@localwire/named-pipe';
import { defaultAddress, type Transport } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';

/** The app name the default address is derived from. */
const APP_NAME = 'localwire-example';

const isWindows = process.platform === 'win32';

/** The transport for this OS. */
export const transport: Transport = isWindows ? namedPipeTransport : unixSocketTransport;

/** What the transport is, in words, for messages. */
export const transportDescription = isWindows
  ? 'a Windows named pipe (@localwire/named-pipe)'
  : 'a Unix domain socket (@localwire/unix-socket)';

/**
 * The address `serve`, `call` and `watch` use unless told otherwise:
 * `$XDG_RUNTIME_DIR/localwire-example.sock`, `<tmpdir>/localwire-<uid>/localwire-example.sock`
 * or `\\.\pipe\localwire-example`.
 */
export function defaultAppAddress(): string {
  return defaultAddress(APP_NAME);
}

/** An address nobody else uses, and a way to clean up after it. */
export interface PrivateAddress {
  /** The socket path or pipe name. */
  readonly address: string;
  /** Removes what was made for it (the socket's private directory). */
  dispose(): Promise<void>;
}

/**
 * A fresh address only this process knows: a socket in a new `0700`
 * directory under the temp dir, or a pipe name with a random suffix.
 */
export async function privateAddress(label: string): Promise<PrivateAddress> {
  if (isWindows) {
    const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
    return {
      address: `${PIPE_PREFIX}${APP_NAME}-${label}-${suffix}`,
      dispose: async () => {},
    };
  }
  // mkdtemp creates the directory 0700: nobody else can reach the socket in it.
  const dir = await mkdtemp(join(tmpdir(), `${APP_NAME}-`));
  return {
    address: join(dir, `${label}.sock`),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
