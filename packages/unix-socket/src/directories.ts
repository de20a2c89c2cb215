/**
 * The directory a socket file lives in, checked before `listen` creates
 * anything there and before `connect` trusts it. The rules themselves are
 * `@localwire/transport`'s, shared with `defaultAddress`.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TransportError } from '@localwire/transport';
import {
  describeError,
  isPerUserDirectory,
  parentDirectoryFault,
  privateDirectoryFault,
} from '@localwire/transport/author';
import { listenError, notADirectory } from './errors.js';

const euid = () => process.geteuid?.() ?? 0;

function refused(address: string, detail: string): TransportError {
  return new TransportError('EACCES', describeError('EACCES', address, detail), { address });
}

function perUserFault(address: string, dir: string, fault: string): TransportError {
  return refused(
    address,
    `the per-user socket directory ${dir} ${fault}; it may have been made by another user to intercept the socket — remove it (or give it to this user with mode 0700) and try again`,
  );
}

/**
 * Makes the socket file's directory ready for `listen`, creating nothing
 * else: the per-user directory (`localwire-<uid>`, see `defaultAddress`) is
 * created `0700` if missing and must be private to this user; any other
 * directory must be owned by this user or root and not writable by group or
 * others unless sticky.
 * @throws {TransportError} `EACCES` naming what is wrong, or the error of
 * reaching the directory (`ENOENT`, `EINVAL`, `EACCES`).
 */
export async function prepareListenDirectory(address: string): Promise<void> {
  const dir = dirname(address);
  if (isPerUserDirectory(dir, euid())) {
    await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw listenError(err, address);
    });
    const found = await lstat(dir, { bigint: true });
    const fault = privateDirectoryFault(found, euid());
    if (fault !== undefined) throw perUserFault(address, dir, fault);
    return;
  }
  // stat, not lstat: a socket's directory may well be reached through a link (/var/run → /run).
  let found: BigIntStats;
  try {
    found = await stat(dir, { bigint: true });
  } catch (err) {
    throw listenError(err, address);
  }
  if (!found.isDirectory()) throw notADirectory(address);
  const fault = parentDirectoryFault(found, euid());
  if (fault !== undefined) {
    throw refused(
      address,
      `the directory ${dir} ${fault}; listen in a directory only you (or root) can write, such as $XDG_RUNTIME_DIR`,
    );
  }
}

/**
 * Before `connect`: a socket in the per-user directory is trusted only while
 * that directory is private to this user (a missing one is left to the
 * connect, which then fails with `ENOENT`). Returns `undefined`, not a
 * promise, when there is nothing to check (any other directory), so that
 * the connect need not wait a turn for it.
 * @throws {TransportError} `EACCES` naming what is wrong.
 */
export function checkConnectDirectory(address: string): Promise<void> | undefined {
  const dir = dirname(address);
  if (!isPerUserDirectory(dir, euid())) return undefined;
  return lstat(dir, { bigint: true }).then(
    (found) => {
      const fault = privateDirectoryFault(found, euid());
      if (fault !== undefined) throw perUserFault(address, dir, fault);
    },
    () => undefined,
  );
}
