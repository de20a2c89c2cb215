import { isTransportError, type TransportErrorCode } from '@localwire/transport';
import { describe, expect, it } from 'vitest';
import { maxSocketPathBytes, validateSocketPath } from '../src/index.js';
import { isAbstractSocketName } from '../src/socket-path.js';

/** The message of the `code` error `validateSocketPath(address, platform)` throws. */
function refusal(address: string, platform: NodeJS.Platform, code: TransportErrorCode): string {
  const err = (() => {
    try {
      validateSocketPath(address, platform);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(isTransportError(err, code), `expected ${code}, got ${err}`).toBe(true);
  expect((err as { address?: string }).address).toBe(address);
  return (err as Error).message;
}

describe('maxSocketPathBytes', () => {
  it('is 107 on Linux and 103 on macOS and the BSDs', () => {
    expect(maxSocketPathBytes('linux')).toBe(107);
    expect(maxSocketPathBytes('android')).toBe(107);
    expect(maxSocketPathBytes('darwin')).toBe(103);
    expect(maxSocketPathBytes('freebsd')).toBe(103);
  });
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
    expect(refusal(linux, 'linux', 'ENAMETOOLONG')).toContain('108 bytes, longer than the 107');
    refusal(`/${'a'.repeat(103)}`, 'darwin', 'ENAMETOOLONG');
  });

  it('counts multi-byte characters as their UTF-8 bytes', () => {
    refusal(`/${'é'.repeat(54)}`, 'linux', 'ENAMETOOLONG'); // 55 characters, 109 bytes
  });

  it('refuses an empty path, a NUL inside, and abstract names off Linux with EINVAL', () => {
    refusal('', 'linux', 'EINVAL');
    refusal('/tmp/a\0b', 'linux', 'EINVAL');
    refusal('\0a\0b', 'linux', 'EINVAL');
    expect(refusal('\0name', 'darwin', 'EINVAL')).toContain('only on Linux');
  });
});
