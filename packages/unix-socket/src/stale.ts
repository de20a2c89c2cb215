import { type BigIntStats, lstatSync, unlinkSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { addressInUse } from './errors.js';
import { probeSocket } from './net-helpers.js';

/** The file at `path`, or `undefined` if there is none. Never follows a symlink. */
export async function lstatIfExists(path: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(path, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Whether two stats describe the same file. */
export function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function describeKind(stats: BigIntStats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'something other than a socket';
}

/**
 * Called when the socket path `address` is taken. Removes what is there only
 * if it is a socket that nobody listens on (a connect is refused): the remains
 * of a server that died without cleaning up. Resolves once the path is free;
 * otherwise rejects with `EADDRINUSE` saying what is there.
 */
export async function removeIfStale(address: string): Promise<void> {
  const found = await lstatIfExists(address);
  if (!found) return;
  if (!found.isSocket()) {
    throw addressInUse(
      address,
      `${describeKind(found)} is at this path, not a socket; localwire never removes it — remove it yourself or choose another path`,
    );
  }
  const probe = await probeSocket(address);
  if (probe === 'live') throw addressInUse(address);
  if (probe !== 'refused') {
    throw addressInUse(
      address,
      `a socket is at this path and connecting to it fails with ${probe.code}, so it may not be stale; localwire leaves it alone — remove it yourself if no server uses it`,
      probe,
    );
  }
  // Remove only the socket just examined: if the path changed meanwhile,
  // another server is starting there.
  const now = await lstatIfExists(address);
  if (!now) return;
  if (!sameFile(now, found)) {
    throw addressInUse(address, 'the socket at this path was just replaced by another server');
  }
  try {
    await unlink(address);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw addressInUse(
      address,
      `a stale socket is at this path but it cannot be removed (${(err as NodeJS.ErrnoException).code}); remove it yourself or choose another path`,
      err,
    );
  }
}

/**
 * Removes the socket file at `address` if it is still the one `ours`
 * describes. `unlink` never follows a link at the path; the check and the
 * removal are synchronous, so that nothing else runs between them.
 */
export function removeOwnSocketFile(address: string, ours: BigIntStats): void {
  const now = lstatSync(address, { bigint: true, throwIfNoEntry: false });
  if (!now || !sameFile(now, ours)) return;
  try {
    unlinkSync(address);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
