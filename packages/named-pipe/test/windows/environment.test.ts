import { describe, expect, it } from 'vitest';
import { namedPipeTransport } from '../../src/index.js';
import {
  codeForWin32Error,
  ERROR_ACCESS_DENIED,
  ERROR_FILE_NOT_FOUND,
  ERROR_FILENAME_EXCED_RANGE,
  ERROR_PIPE_BUSY,
  ERROR_SEM_TIMEOUT,
  win32Error,
  win32ErrorName,
} from '../../src/win32-errors.js';

describe('the Windows run', () => {
  it('runs on win32, with the named-pipe capabilities', () => {
    expect(process.platform).toBe('win32');
    expect(namedPipeTransport.capabilities).toEqual({
      halfClose: false,
      peerCredentials: ['pid', 'sid'],
    });
  });
});

describe('Win32 errors', () => {
  it('map onto the shared codes', () => {
    expect(codeForWin32Error(ERROR_FILE_NOT_FOUND, 'connect')).toBe('ENOENT');
    expect(codeForWin32Error(ERROR_ACCESS_DENIED, 'connect')).toBe('EACCES');
    expect(codeForWin32Error(ERROR_SEM_TIMEOUT, 'connect')).toBe('ETIMEDOUT');
    expect(codeForWin32Error(ERROR_FILENAME_EXCED_RANGE, 'listen')).toBe('ENAMETOOLONG');
  });

  it('without a counterpart keep the meaning of the failed operation', () => {
    expect(codeForWin32Error(1450, 'connect')).toBe('ECONNREFUSED');
    expect(codeForWin32Error(1450, 'listen')).toBe('EADDRINUSE');
  });

  it('keep the Win32 number and name the address, the call and the error', () => {
    const err = win32Error(
      'connect',
      'CreateFileW',
      ERROR_PIPE_BUSY,
      '\\\\.\\pipe\\x',
      'ETIMEDOUT',
    );
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.winError).toBe(ERROR_PIPE_BUSY);
    expect(err.syscall).toBe('CreateFileW');
    expect(err.address).toBe('\\\\.\\pipe\\x');
    expect(err.message).toContain('\\\\.\\pipe\\x');
    expect(err.message).toContain('CreateFileW: ERROR_PIPE_BUSY (231)');
    expect(win32ErrorName(1450)).toBe('Win32 error 1450');
  });
});
