import { createHash } from 'node:crypto';
import { type BigIntStats, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** What identifies one entry's state: none of it may change when the entry is not ours. */
export interface EntryState {
  type: 'file' | 'dir' | 'symlink' | 'socket' | 'other';
  ino: bigint;
  mode: bigint;
  mtime: bigint;
  ctime: bigint;
  size: bigint;
  /** SHA-256 of a regular file's content. */
  sha256?: string;
  /** Where a symbolic link points. */
  target?: string;
}

/**
 * The state of the tree under `root`: every entry by relative path (names,
 * types, modes, inodes, mtimes, ctimes, sizes, content hashes, link targets),
 * and the root directory itself as `.` (inode, mode, mtime).
 */
export type Snapshot = Record<string, EntryState | { ino: bigint; mode: bigint; mtime: bigint }>;

function typeOf(stats: BigIntStats): EntryState['type'] {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isSocket()) return 'socket';
  return 'other';
}

export function snapshot(root: string): Snapshot {
  const top = lstatSync(root, { bigint: true });
  const out: Snapshot = { '.': { ino: top.ino, mode: top.mode, mtime: top.mtimeNs } };
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      const stats = lstatSync(path, { bigint: true });
      const state: EntryState = {
        type: typeOf(stats),
        ino: stats.ino,
        mode: stats.mode,
        mtime: stats.mtimeNs,
        ctime: stats.ctimeNs,
        size: stats.size,
      };
      if (state.type === 'file') {
        state.sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
      } else if (state.type === 'symlink') {
        state.target = readlinkSync(path);
      }
      out[rel] = state;
      if (state.type === 'dir') walk(path, rel);
    }
  };
  walk(root, '');
  return out;
}

/** `snapshot` without the root directory's mtime. */
export function entriesOf(snap: Snapshot): Snapshot {
  const { '.': top, ...rest } = snap;
  return { '.': { ...top!, mtime: 0n }, ...rest };
}
