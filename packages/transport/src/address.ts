import { lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransportError } from './errors.js';
import { perUserDirectoryName, privateDirectoryFault } from './private-directory.js';

// A private copy: the pipe-name rules themselves live in @localwire/named-pipe.
const PIPE_PREFIX = '\\\\.\\pipe\\';

const appNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What {@link defaultAddress} reads from the environment; each can be overridden for tests. */
export interface DefaultAddressOptions {
  /** The OS to make the address for. Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Environment to read `XDG_RUNTIME_DIR` from. */
  env?: NodeJS.ProcessEnv;
  /** The user the address is for: `XDG_RUNTIME_DIR` must be theirs. Default the effective uid. */
  uid?: number;
  /** The temp dir the per-user directory goes in. Default `os.tmpdir()`. */
  tmpdir?: string;
}

/**
 * The conventional private address for an app on this OS:
 * - Windows: `\\.\pipe\<appName>`.
 * - Unix: `$XDG_RUNTIME_DIR/<appName>.sock` when `XDG_RUNTIME_DIR` is an
 *   absolute path to a real directory (not a symbolic link) owned by this
 *   user with no group or other permission bits — the XDG spec's own rule;
 *   otherwise `<tmpdir>/localwire-<uid>/<appName>.sock`, in a per-user
 *   directory that `listen` creates `0700` and both `listen` and `connect`
 *   verify (a directory, not a link, owned by this user, no group or other
 *   bits) before they use it, as tmux does with `/tmp/tmux-<uid>`.
 *
 * The `XDG_RUNTIME_DIR` check reads the file system (one `lstat`); nothing
 * else does, and nothing is created here.
 *
 * @param appName letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 64.
 * @throws {TransportError} `EINVAL` for an unusable app name.
 */
export function defaultAddress(appName: string, options: DefaultAddressOptions = {}): string {
  if (!appNamePattern.test(appName)) {
    throw new TransportError(
      'EINVAL',
      `invalid app name ${JSON.stringify(appName)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { address: appName },
    );
  }
  const platform = options.platform ?? process.platform;
  if (platform === 'win32') return `${PIPE_PREFIX}${appName}`;
  const uid = options.uid ?? process.geteuid?.() ?? 0;
  const runtimeDir = (options.env ?? process.env).XDG_RUNTIME_DIR;
  if (runtimeDir?.startsWith('/') && isPrivateDirectory(runtimeDir, uid)) {
    return join(runtimeDir, `${appName}.sock`);
  }
  return join(options.tmpdir ?? tmpdir(), perUserDirectoryName(uid), `${appName}.sock`);
}

function isPrivateDirectory(path: string, uid: number): boolean {
  try {
    return privateDirectoryFault(lstatSync(path), uid) === undefined;
  } catch {
    return false;
  }
}
