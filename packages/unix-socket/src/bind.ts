import type { BigIntStats } from 'node:fs';
import { lstatSync, rmdirSync, unlinkSync } from 'node:fs';
import { chmod, link, lstat, mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:net';
import { dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { TransportError } from '@localwire/transport';
import { listenExclusive } from '@localwire/transport/author';
import { prepareListenDirectory } from './directories.js';
import { addressInUse, listenError } from './errors.js';
import { maxSocketPathBytes } from './socket-path.js';
import { removeIfStale, sameFile } from './stale.js';

/**
 * Binds `server` to the socket file `address` with `mode`, so that the file
 * never exists with wider permissions, not even for an instant, and never
 * replaces anything at `address` but a stale socket. Resolves with the
 * socket file's stats, so the listener later removes only that file.
 *
 * First the directory is checked (see `prepareListenDirectory`): nothing is
 * created in one another user could write. The socket is then bound inside a
 * fresh `0700` directory next to `address`, with its final mode, and
 * hard-linked into place: `link(2)` is atomic and fails if the path is taken.
 * It also keeps libuv's own cleanup harmless: libuv unlinks the path it bound
 * when the server closes, whatever file is there by then, and that path is
 * gone with the private directory.
 */
export async function bindSocketFile(
  server: Server,
  address: string,
  mode: number,
): Promise<BigIntStats> {
  await prepareListenDirectory(address);
  const dir = dirname(address);
  if (Buffer.byteLength(join(dir, '.XXXXXX', 's')) > maxSocketPathBytes()) {
    return bindInPlace(server, address, mode);
  }
  // `<dir>/.XXXXXX`: not join(dir, '.'), which is `dir` itself, so that
  // mkdtemp would create `<dir>XXXXXX` in the parent directory instead.
  const privateDir = await mkdtemp(`${dir}/.`).catch((err: unknown) => {
    throw listenError(err, address);
  });
  const bound = join(privateDir, 's');
  let ours: BigIntStats | undefined;
  try {
    await listenWithMode(server, bound, mode).catch((err: unknown) => {
      throw listenError(err, address);
    });
    ours = await lstat(bound, { bigint: true });
    await retryIfStale(address, 'EEXIST', () => link(bound, address));
    return ours;
  } catch (err) {
    server.close();
    throw err;
  } finally {
    removeBindDirectory(privateDir, bound, ours);
  }
}

/**
 * Removes the private bind directory without ever following a link: the
 * socket is unlinked only if `bound` is still the very file bound there, then
 * the directory is `rmdir`ed (a link in its place fails with `ENOTDIR`; a
 * directory with anything else in it stays). No recursive removal: a swapped
 * path would lead it into someone else's files. Synchronous, so that each
 * check and the removal it guards follow each other at once.
 */
function removeBindDirectory(privateDir: string, bound: string, ours: BigIntStats | undefined) {
  try {
    const now = lstatSync(bound, { bigint: true, throwIfNoEntry: false });
    if (now && ours && sameFile(now, ours)) unlinkSync(bound);
    rmdirSync(privateDir);
  } catch {
    // Left behind, not forced: whatever is there now is not known to be ours.
  }
}

/**
 * Starts `server` listening at the new socket file `path` with permission
 * bits `mode`. On the main thread, bind(2) creates the file under a umask
 * that gives it exactly `mode`, so nothing is ever changed through a path;
 * worker threads may not set the umask, so there the file is `chmod`ed, which
 * only happens inside the private `0700` directory.
 */
function listenWithMode(server: Server, path: string, mode: number): Promise<void> {
  if (isMainThread) {
    // process.umask() is process-wide, but bind(2) happens synchronously
    // inside server.listen() and the old umask is back before any other
    // JavaScript runs; only a file another thread creates in that instant
    // would get the narrower mode.
    const previous = process.umask(0o777 & ~mode);
    try {
      return listenExclusive(server, { path });
    } finally {
      process.umask(previous);
    }
  }
  return listenExclusive(server, { path }).then(() => chmod(path, mode));
}

/**
 * The fallback when the private directory's path would be too long for a
 * socket (an `address` near the limit with a short file name): bind at
 * `address` itself, under the umask of the final mode.
 */
async function bindInPlace(server: Server, address: string, mode: number): Promise<BigIntStats> {
  if (!isMainThread) {
    throw new TransportError(
      'ENAMETOOLONG',
      `${address}: too long to bind safely from a worker thread (it needs ${join(dirname(address), '.XXXXXX/s')} to fit too); use a shorter directory or a longer file name`,
      { address },
    );
  }
  await retryIfStale(address, 'EADDRINUSE', () => listenWithMode(server, address, mode));
  // libuv will unlink `address` on close without checking what is there; on
  // this path that cannot be helped.
  const ours = await lstat(address, { bigint: true });
  if (!ours.isSocket()) {
    server.close();
    throw addressInUse(address, 'the socket at this path was replaced while it was being bound');
  }
  return ours;
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
