import type { BigIntStats } from 'node:fs';
import { chmod, link, lstat, mkdtemp, rm, rmdir } from 'node:fs/promises';
import type { Server } from 'node:net';
import { dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { maxSocketPathBytes, TransportError } from '@localwire/transport';
import { addressInUse, listenError } from './errors.js';
import { startListening } from './net-helpers.js';
import { removeIfStale } from './stale.js';

/**
 * Binds `server` to the socket file `address` with `mode`, so that the file
 * never exists with wider permissions, not even for an instant, and never
 * replaces anything at `address` but a stale socket. Resolves with the
 * socket file's stats, so the listener later removes only that file.
 *
 * The socket is bound inside a fresh `0700` directory next to `address`, given
 * its mode there, and then hard-linked into place: `link(2)` is atomic and
 * fails if the path is taken. It also keeps libuv's own cleanup harmless:
 * libuv unlinks the path it bound when the server closes, whatever file is
 * there by then, and that path is gone with the private directory.
 */
export async function bindSocketFile(
  server: Server,
  address: string,
  mode: number,
): Promise<BigIntStats> {
  // `<dir>/.XXXXXX`: not join(dir, '.'), which is `dir` itself, so that
  // mkdtemp would create `<dir>XXXXXX` in the parent directory instead.
  const privateDir = await mkdtemp(`${dirname(address)}/.`).catch((err: unknown) => {
    throw listenError(err, address);
  });
  const bound = join(privateDir, 's');
  try {
    if (Buffer.byteLength(bound) > maxSocketPathBytes()) {
      await rmdir(privateDir);
      return await bindUnderUmask(server, address, mode);
    }
    await startListening(server, bound).catch((err: unknown) => {
      throw listenError(err, address);
    });
    await chmod(bound, mode);
    const ours = await lstat(bound, { bigint: true });
    await retryIfStale(address, 'EEXIST', () => link(bound, address));
    return ours;
  } catch (err) {
    server.close();
    throw err;
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
}

/**
 * The fallback when the private directory's path would be too long for a
 * socket (an `address` near the limit with a short file name): bind at
 * `address` itself under a umask that leaves the file `0600`.
 */
async function bindUnderUmask(server: Server, address: string, mode: number): Promise<BigIntStats> {
  if (!isMainThread) {
    throw new TransportError(
      'ENAMETOOLONG',
      `${address}: too long to bind safely from a worker thread (it needs ${join(dirname(address), '.XXXXXX/s')} to fit too); use a shorter directory or a longer file name`,
      { address },
    );
  }
  await retryIfStale(address, 'EADDRINUSE', async () => {
    // process.umask() is process-wide, but bind(2) happens synchronously
    // inside server.listen() and the old umask is back before any other
    // JavaScript runs; only a file another thread creates in that instant
    // would get the narrower mode.
    const previous = process.umask(0o177);
    let listening: Promise<void>;
    try {
      listening = startListening(server, address);
    } finally {
      process.umask(previous);
    }
    await listening;
  });
  if (mode !== 0o600) await chmod(address, mode);
  // libuv will unlink `address` on close without checking what is there; on
  // this path that cannot be helped.
  return lstat(address, { bigint: true });
}

/**
 * Runs `place`, which fails with `takenCode` when `address` is taken; then
 * removes a stale socket there and tries once more.
 */
async function retryIfStale(
  address: string,
  takenCode: string,
  place: () => Promise<void>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await place();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== takenCode) throw listenError(err, address);
      if (attempt === 2) {
        throw addressInUse(
          address,
          'another server took this path while a stale socket was being removed',
          err,
        );
      }
    }
    await removeIfStale(address);
  }
}
