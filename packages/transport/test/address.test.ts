import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultAddress } from '../src/address.js';
import { TransportError, type TransportErrorCode } from '../src/errors.js';
import {
  isPerUserDirectory,
  parentDirectoryFault,
  privateDirectoryFault,
} from '../src/private-directory.js';

const scratch = mkdtempSync(join(tmpdir(), 'lw-address-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
/** A new directory under the scratch directory, with `mode`. */
function directory(mode: number): string {
  const dir = join(scratch, String(++dirs));
  mkdirSync(dir);
  chmodSync(dir, mode);
  return dir;
}
const uid = process.geteuid?.() ?? 0;

function errorOf(run: () => void): TransportError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    return err as TransportError;
  }
  throw new Error('expected a TransportError');
}

function expectRefused(run: () => void, code: TransportErrorCode, address: string): string {
  const err = errorOf(run);
  expect(err.code).toBe(code);
  expect(err.address).toBe(address);
  return err.message;
}

describe('defaultAddress', () => {
  it('is a pipe name on Windows', () => {
    expect(defaultAddress('my-app', { platform: 'win32' })).toBe('\\\\.\\pipe\\my-app');
  });

  it('lives in XDG_RUNTIME_DIR when it is a 0700 directory of this user', () => {
    const runtimeDir = directory(0o700);
    const env = { XDG_RUNTIME_DIR: runtimeDir };
    expect(defaultAddress('my-app', { platform: 'linux', env })).toBe(
      join(runtimeDir, 'my-app.sock'),
    );
  });

  it('otherwise lives in the per-user directory localwire-<uid> in the temp dir', () => {
    const options = { platform: 'darwin' as const, env: {}, uid: 501, tmpdir: '/tmp' };
    expect(defaultAddress('my-app', options)).toBe('/tmp/localwire-501/my-app.sock');
  });

  it.each([
    ['a relative path', () => 'relative/dir'],
    ['a missing directory', () => join(scratch, 'missing')],
    ['a directory others may read', () => directory(0o755)],
    ['a 0700 directory of another user', () => directory(0o700)],
    [
      'a symbolic link to a 0700 directory',
      () => {
        const link = join(scratch, `link-${++dirs}`);
        symlinkSync(directory(0o700), link);
        return link;
      },
    ],
  ])('ignores an XDG_RUNTIME_DIR that is %s', (what, make) => {
    const runtimeDir = make();
    // "Another user": the same directory checked for a uid that does not own it.
    const forUid = what.includes('another user') ? uid + 1 : uid;
    const options = { platform: 'linux' as const, env: { XDG_RUNTIME_DIR: runtimeDir } };
    expect(defaultAddress('my-app', { ...options, uid: forUid, tmpdir: '/tmp' })).toBe(
      `/tmp/localwire-${forUid}/my-app.sock`,
    );
  });

  it.each(['', '-leading-dash', 'has/slash', 'has space', 'x'.repeat(65), '..'])(
    'refuses the app name %j with EINVAL',
    (name) => {
      expect(expectRefused(() => defaultAddress(name), 'EINVAL', name)).toContain('app name');
    },
  );
});

describe('the directory rules', () => {
  const stats = (mode: number, owner: number, kind: 'dir' | 'link' | 'file' = 'dir') => ({
    mode,
    uid: owner,
    isDirectory: () => kind === 'dir',
    isSymbolicLink: () => kind === 'link',
  });

  it('a private directory is a directory of this user with no group or other bits', () => {
    expect(privateDirectoryFault(stats(0o40700, 1000), 1000)).toBeUndefined();
    expect(privateDirectoryFault(stats(0o40700, 1000, 'link'), 1000)).toContain('symbolic link');
    expect(privateDirectoryFault(stats(0o100600, 1000, 'file'), 1000)).toContain('not a directory');
    expect(privateDirectoryFault(stats(0o40700, 65534), 1000)).toContain(
      'owned by uid 65534, not by this user (uid 1000)',
    );
    expect(privateDirectoryFault(stats(0o40750, 1000), 1000)).toContain('mode 0750');
  });

  it("a socket's directory is this user's or root's, and not writable by others unless sticky", () => {
    expect(parentDirectoryFault(stats(0o40755, 0), 1000)).toBeUndefined();
    expect(parentDirectoryFault(stats(0o40700, 1000), 1000)).toBeUndefined();
    expect(parentDirectoryFault(stats(0o41777, 0), 1000)).toBeUndefined();
    expect(parentDirectoryFault(stats(0o40777, 0), 1000)).toContain('not sticky');
    expect(parentDirectoryFault(stats(0o40775, 1000), 1000)).toContain('mode 0775');
    expect(parentDirectoryFault(stats(0o40755, 65534), 1000)).toContain('owned by uid 65534');
  });

  it('the per-user directory is the one named localwire-<uid>', () => {
    expect(isPerUserDirectory('/tmp/localwire-1000', 1000)).toBe(true);
    expect(isPerUserDirectory('/tmp/localwire-1000', 0)).toBe(false);
    expect(isPerUserDirectory('/tmp/localwire-10000', 1000)).toBe(false);
  });
});
