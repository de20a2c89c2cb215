import { describe, expect, it } from 'vitest';
import {
  defaultAddress,
  isAbstractSocketName,
  MAX_PIPE_NAME_LENGTH,
  maxSocketPathBytes,
  PIPE_PREFIX,
  validatePipeName,
  validateSocketPath,
} from '../src/address.js';
import { TransportError, type TransportErrorCode } from '../src/errors.js';

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

describe('maxSocketPathBytes', () => {
  it('is 107 on Linux and 103 on macOS and the BSDs', () => {
    expect(maxSocketPathBytes('linux')).toBe(107);
    expect(maxSocketPathBytes('android')).toBe(107);
    expect(maxSocketPathBytes('darwin')).toBe(103);
    expect(maxSocketPathBytes('freebsd')).toBe(103);
  });
});

describe('defaultAddress', () => {
  it('is a pipe name on Windows', () => {
    expect(defaultAddress('my-app', { platform: 'win32' })).toBe('\\\\.\\pipe\\my-app');
  });

  it('lives in XDG_RUNTIME_DIR when it is set to an absolute path', () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(defaultAddress('my-app', { platform: 'linux', env })).toBe('/run/user/1000/my-app.sock');
  });

  it('otherwise lives in the temp dir with the uid in the name', () => {
    const options = { platform: 'darwin' as const, env: {}, uid: 501, tmpdir: '/tmp' };
    expect(defaultAddress('my-app', options)).toBe('/tmp/my-app-501.sock');
    const relative = { ...options, env: { XDG_RUNTIME_DIR: 'relative/dir' } };
    expect(defaultAddress('my-app', relative)).toBe('/tmp/my-app-501.sock');
  });

  it.each(['', '-leading-dash', 'has/slash', 'has space', 'x'.repeat(65), '..'])(
    'refuses the app name %j with EINVAL',
    (name) => {
      expect(expectRefused(() => defaultAddress(name), 'EINVAL', name)).toContain('app name');
    },
  );
});

describe('isAbstractSocketName', () => {
  it('is true only for a leading NUL', () => {
    expect(isAbstractSocketName('\0name')).toBe(true);
    expect(isAbstractSocketName('/tmp/name')).toBe(false);
    expect(isAbstractSocketName('a\0b')).toBe(false);
  });
});

describe('validateSocketPath', () => {
  it('accepts paths up to the limit, counted in bytes', () => {
    validateSocketPath(`/${'a'.repeat(106)}`, 'linux');
    validateSocketPath(`/${'a'.repeat(102)}`, 'darwin');
    validateSocketPath('\0abstract', 'linux');
  });

  it('refuses a path one byte over with ENAMETOOLONG, naming the limit', () => {
    const linux = `/${'a'.repeat(107)}`;
    expect(
      expectRefused(() => validateSocketPath(linux, 'linux'), 'ENAMETOOLONG', linux),
    ).toContain('108 bytes, longer than the 107');
    const mac = `/${'a'.repeat(103)}`;
    expectRefused(() => validateSocketPath(mac, 'darwin'), 'ENAMETOOLONG', mac);
  });

  it('counts multi-byte characters as their UTF-8 bytes', () => {
    const path = `/${'é'.repeat(54)}`; // 55 characters, 109 bytes
    expectRefused(() => validateSocketPath(path, 'linux'), 'ENAMETOOLONG', path);
  });

  it('refuses an empty path, a NUL inside, and abstract names off Linux with EINVAL', () => {
    expectRefused(() => validateSocketPath('', 'linux'), 'EINVAL', '');
    expectRefused(() => validateSocketPath('/tmp/a\0b', 'linux'), 'EINVAL', '/tmp/a\0b');
    expectRefused(() => validateSocketPath('\0a\0b', 'linux'), 'EINVAL', '\0a\0b');
    const message = expectRefused(() => validateSocketPath('\0name', 'darwin'), 'EINVAL', '\0name');
    expect(message).toContain('only on Linux');
  });
});

describe('validatePipeName', () => {
  it('accepts local pipe names up to 256 characters, any prefix case', () => {
    validatePipeName(`${PIPE_PREFIX}app`);
    validatePipeName('\\\\.\\PIPE\\app');
    validatePipeName(`${PIPE_PREFIX}${'a'.repeat(MAX_PIPE_NAME_LENGTH - PIPE_PREFIX.length)}`);
  });

  it.each([
    ['', 'empty'],
    ['app', 'must start with'],
    ['\\\\server\\pipe\\app', 'remote pipes'],
    ['//server/pipe/app', 'remote pipes'],
    [PIPE_PREFIX, 'is empty'],
    [`${PIPE_PREFIX}${'a'.repeat(MAX_PIPE_NAME_LENGTH)}`, 'at most 256'],
    [`${PIPE_PREFIX}a\0b`, 'NUL'],
  ])('refuses %j with EINVAL (%s)', (name, why) => {
    expect(expectRefused(() => validatePipeName(name), 'EINVAL', name)).toContain(why);
  });
});
