import { lstatSync, readFileSync } from 'node:fs';
import { isTransportError, type Listener, type TransportErrorCode } from '@localwire/transport';
import { afterEach, expect } from 'vitest';
import { type UnixSocketListenOptions, unixSocketTransport } from '../../src/index.js';

/**
 * Returns a `listen` whose listeners all close after each test of the file,
 * and that echoes every connection back.
 */
export function useEchoListen(): (
  address: string,
  options?: UnixSocketListenOptions,
) => Promise<Listener> {
  const open: Listener[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((listener) => listener.close()));
  });
  return async (address, options) => {
    const listener = await unixSocketTransport.listen(address, options);
    open.push(listener);
    listener.on('connection', (connection) => connection.pipe(connection));
    return listener;
  };
}

/** Expects `listen(address)` to fail with a `TransportError` of `code` naming the address. */
export async function expectListenError(
  address: string,
  code: TransportErrorCode,
  options?: UnixSocketListenOptions,
): Promise<Error> {
  const err = await unixSocketTransport.listen(address, options).then(
    async (listener) => {
      await listener.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(isTransportError(err, code), `expected ${code}, got ${err}`).toBe(true);
  expect((err as { address: unknown }).address).toBe(address);
  return err as Error;
}

/** Whether a connection to `address` echoes a message back. */
export async function echoes(address: string): Promise<boolean> {
  const connection = await unixSocketTransport.connect(address);
  connection.end('ping');
  const chunks: Buffer[] = [];
  for await (const chunk of connection) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString() === 'ping';
}

/** What identifies a file's state: none of it may change when it is not ours. */
export function fingerprint(path: string) {
  const stats = lstatSync(path, { bigint: true });
  return {
    ino: stats.ino,
    mode: stats.mode,
    mtime: stats.mtimeNs,
    ctime: stats.ctimeNs,
    content: stats.isFile() ? readFileSync(path, 'utf8') : undefined,
  };
}
