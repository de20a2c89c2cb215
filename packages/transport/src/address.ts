import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransportError } from './errors.js';

/** The prefix every local Windows pipe name starts with. */
export const PIPE_PREFIX = '\\\\.\\pipe\\';

/** Longest pipe name Windows accepts, prefix included (`CreateNamedPipeW`). */
export const MAX_PIPE_NAME_LENGTH = 256;

/**
 * Longest Unix socket path in bytes: `sizeof(sun_path)` minus the terminating
 * NUL — 107 on Linux, 103 on macOS and the BSDs. Node silently truncates a
 * longer path and listens somewhere else, so localwire refuses it.
 */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' || platform === 'android' ? 107 : 103;
}

const appNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What {@link defaultAddress} reads from the environment; each can be overridden for tests. */
export interface DefaultAddressOptions {
  /** The OS to make the address for. Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Environment to read `XDG_RUNTIME_DIR` from. */
  env?: NodeJS.ProcessEnv;
  /** The user id to put in a temp-dir socket name. */
  uid?: number;
  /** The temp dir to use when `XDG_RUNTIME_DIR` is unset. */
  tmpdir?: string;
}

/**
 * The conventional private address for an app on this OS:
 * - Windows: `\\.\pipe\<appName>`.
 * - Unix: `$XDG_RUNTIME_DIR/<appName>.sock` (a per-user `0700` directory), else
 *   `<tmpdir>/<appName>-<uid>.sock`.
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
  const env = options.env ?? process.env;
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir?.startsWith('/')) return join(runtimeDir, `${appName}.sock`);
  const uid = options.uid ?? process.getuid?.() ?? 0;
  return join(options.tmpdir ?? tmpdir(), `${appName}-${uid}.sock`);
}

/** True for a Linux abstract socket name (Node's convention: a leading NUL). */
export function isAbstractSocketName(address: string): boolean {
  return address.startsWith('\0');
}

/**
 * Checks a Unix socket address before any system call.
 * @throws {TransportError} `EINVAL` (empty, a NUL inside, abstract off Linux) or
 * `ENAMETOOLONG` (longer than `sun_path` allows).
 */
export function validateSocketPath(
  address: string,
  platform: NodeJS.Platform = process.platform,
): void {
  const shown = JSON.stringify(address);
  if (typeof address !== 'string' || address.length === 0) {
    throw new TransportError(
      'EINVAL',
      'the socket path is empty; give a file path such as /run/user/1000/app.sock',
      {
        address,
      },
    );
  }
  const abstract = isAbstractSocketName(address);
  if (abstract && platform !== 'linux') {
    throw new TransportError(
      'EINVAL',
      `${shown}: abstract socket names exist only on Linux; use a file path`,
      {
        address,
      },
    );
  }
  if (address.indexOf('\0', abstract ? 1 : 0) !== -1) {
    throw new TransportError('EINVAL', `${shown}: a socket path cannot contain a NUL byte`, {
      address,
    });
  }
  const bytes = Buffer.byteLength(address);
  const max = maxSocketPathBytes(platform);
  if (bytes > max) {
    throw new TransportError(
      'ENAMETOOLONG',
      `${shown} is ${bytes} bytes, longer than the ${max} bytes a Unix socket path may have on ${platform}; use a shorter path (e.g. under $XDG_RUNTIME_DIR or /tmp)`,
      { address },
    );
  }
}

/**
 * Checks a Windows pipe name before any system call: it must be a local pipe
 * (`\\.\pipe\<name>`), with a non-empty name, at most 256 characters in all.
 * @throws {TransportError} `EINVAL` naming what is wrong.
 */
export function validatePipeName(address: string): void {
  const shown = JSON.stringify(address);
  const fail = (why: string): never => {
    throw new TransportError('EINVAL', `${shown}: ${why}`, { address });
  };
  if (typeof address !== 'string' || address.length === 0) {
    fail('the pipe name is empty; use \\\\.\\pipe\\<name>');
  }
  if (/^[\\/]{2}[^\\/.][^\\/]*[\\/]pipe[\\/]/i.test(address)) {
    fail(
      'remote pipes are not supported; localwire serves local clients only — use \\\\.\\pipe\\<name>',
    );
  }
  if (address.slice(0, PIPE_PREFIX.length).toLowerCase() !== PIPE_PREFIX) {
    fail('a pipe name must start with \\\\.\\pipe\\');
  }
  if (address.length === PIPE_PREFIX.length) fail('the pipe name after \\\\.\\pipe\\ is empty');
  if (address.length > MAX_PIPE_NAME_LENGTH) {
    fail(
      `the pipe name is ${address.length} characters; Windows allows at most ${MAX_PIPE_NAME_LENGTH}`,
    );
  }
  if (address.includes('\0')) fail('a pipe name cannot contain a NUL character');
}
