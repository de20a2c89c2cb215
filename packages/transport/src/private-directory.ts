/**
 * The rules for the directories a Unix socket may live in, shared by
 * `defaultAddress` and the Unix transport's `listen` and `connect`.
 */
import { basename } from 'node:path';

/** What {@link privateDirectoryFault} and {@link parentDirectoryFault} look at: an `lstat`/`stat` result. */
export interface DirectoryStats {
  /** File type and permission bits (`st_mode`). */
  readonly mode: number | bigint;
  /** The owner's user id. */
  readonly uid: number | bigint;
  /** Whether it is a directory. */
  isDirectory(): boolean;
  /** Whether it is a symbolic link (only an `lstat` result can say so). */
  isSymbolicLink(): boolean;
}

const PER_USER_PREFIX = 'localwire-';

/** The name of the per-user directory `defaultAddress` puts sockets in: `localwire-<uid>`. */
export function perUserDirectoryName(uid: number): string {
  return `${PER_USER_PREFIX}${uid}`;
}

/**
 * Whether `dir` is the per-user directory of user `uid`: its last component is
 * `localwire-<uid>`, wherever it is (`defaultAddress` puts it in the temp dir).
 * `listen` creates such a directory `0700` when it is missing; `listen` and
 * `connect` refuse one that {@link privateDirectoryFault} finds fault with.
 */
export function isPerUserDirectory(dir: string, uid: number): boolean {
  return basename(dir) === perUserDirectoryName(uid);
}

const octal = (mode: number | bigint) => `0${(Number(mode) & 0o7777).toString(8)}`;

/**
 * What is wrong with `stats` (from `lstat`, which does not follow a link) as a
 * private directory of user `uid` — it must be a directory, not a symbolic
 * link, owned by `uid`, with no group or other permission bits — or
 * `undefined` when nothing is.
 */
export function privateDirectoryFault(stats: DirectoryStats, uid: number): string | undefined {
  if (stats.isSymbolicLink()) return 'is a symbolic link, not a directory';
  if (!stats.isDirectory()) return 'is not a directory';
  if (Number(stats.uid) !== uid)
    return `is owned by uid ${stats.uid}, not by this user (uid ${uid})`;
  if ((Number(stats.mode) & 0o077) !== 0) {
    return `has mode ${octal(stats.mode)}: group or others have access, and it must be 0700`;
  }
  return undefined;
}

const STICKY = 0o1000;

/**
 * What is wrong with `stats` (from `stat` of a socket's directory) as a place
 * to create a socket in — it must be owned by user `uid` or root, and not
 * writable by group or others unless it has the sticky bit (as `/tmp` has),
 * since whoever may write it can rename the socket away and put their own in
 * its place — or `undefined` when nothing is.
 */
export function parentDirectoryFault(stats: DirectoryStats, uid: number): string | undefined {
  const owner = Number(stats.uid);
  if (owner !== uid && owner !== 0) {
    return `is owned by uid ${owner}, neither this user (uid ${uid}) nor root, who could replace the socket in it`;
  }
  const mode = Number(stats.mode);
  if ((mode & 0o022) !== 0 && (mode & STICKY) === 0) {
    return `has mode ${octal(mode)}: group or others may write it and it is not sticky, so they could replace the socket in it`;
  }
  return undefined;
}
