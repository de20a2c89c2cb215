import { describe, expect, it } from 'vitest';
import {
  describeError,
  displayAddress,
  fromSystemError,
  isTransportError,
  TransportError,
  unsupportedPlatform,
} from '../src/errors.js';

function systemError(code: string, syscall = 'connect'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code} /tmp/x.sock`), {
    code,
    syscall,
    errno: -2,
  });
}

describe('TransportError', () => {
  it('carries the code, address, syscall, OS error numbers and cause', () => {
    const cause = new Error('inner');
    const err = new TransportError('EACCES', 'no', {
      address: '\\\\.\\pipe\\x',
      syscall: 'CreateFileW',
      errno: -13,
      winError: 5,
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'TransportError',
      code: 'EACCES',
      message: 'no',
      address: '\\\\.\\pipe\\x',
      syscall: 'CreateFileW',
      errno: -13,
      winError: 5,
      cause,
    });
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new TransportError('EINVAL', 'bad')).toBe(false);
  });
});

describe('isTransportError', () => {
  it('checks the class and, if given, the code', () => {
    const err = new TransportError('ENOENT', 'gone');
    expect(isTransportError(err)).toBe(true);
    expect(isTransportError(err, 'ENOENT')).toBe(true);
    expect(isTransportError(err, 'EACCES')).toBe(false);
    expect(isTransportError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isTransportError(undefined)).toBe(false);
  });
});

describe('describeError', () => {
  it('names the address and what to do', () => {
    expect(describeError('ENOENT', '/run/a.sock')).toBe(
      'nothing is listening at /run/a.sock; start the server first or check the address',
    );
    expect(describeError('EADDRINUSE', '/run/a.sock')).toContain('stop it or choose another');
  });

  it('puts a given detail after the address', () => {
    expect(describeError('EINVAL', '/a', 'too odd')).toBe('/a: too odd');
  });
});

describe('fromSystemError', () => {
  it.each([
    'EADDRINUSE',
    'ENOENT',
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EACCES',
    'ENAMETOOLONG',
    'EINVAL',
  ])('maps %s to a TransportError naming the address', (code) => {
    const cause = systemError(code);
    const err = fromSystemError(cause, '/run/a.sock');
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({
      code,
      address: '/run/a.sock',
      syscall: 'connect',
      errno: -2,
      cause,
    });
    expect(err.message).toContain('/run/a.sock');
  });

  it('returns a TransportError as it is', () => {
    const err = new TransportError('ENOENT', 'gone');
    expect(fromSystemError(err, '/other')).toBe(err);
  });

  it('passes other errors through, wrapping non-errors', () => {
    const other = systemError('EMFILE');
    expect(fromSystemError(other, '/a')).toBe(other);
    const wrapped = fromSystemError('boom', '/a');
    expect(wrapped).toBeInstanceOf(Error);
    expect(wrapped.message).toBe('boom');
  });
});

describe('unsupportedPlatform', () => {
  it('names the transport, where it works and this platform', () => {
    const err = unsupportedPlatform('@localwire/named-pipe', 'Windows');
    expect(err.code).toBe('ERR_UNSUPPORTED_PLATFORM');
    expect(err.message).toContain('@localwire/named-pipe works only on Windows');
    expect(err.message).toContain(process.platform);
  });
});

describe('displayAddress', () => {
  it('shows a Linux abstract name as @name and leaves paths and pipe names alone', () => {
    expect(displayAddress('\0my-app')).toBe('@my-app');
    expect(displayAddress('/run/user/1000/app.sock')).toBe('/run/user/1000/app.sock');
    expect(displayAddress('\\\\.\\pipe\\app')).toBe('\\\\.\\pipe\\app');
    expect(describeError('ENOENT', '\0my-app')).toBe(
      'nothing is listening at @my-app; start the server first or check the address',
    );
  });
});
