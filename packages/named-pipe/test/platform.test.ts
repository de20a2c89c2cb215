import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { isTransportError } from '@localwire/transport';
import { describe, expect, it } from 'vitest';
import { namedPipeTransport } from '../src/index.js';

const require = createRequire(import.meta.url);
const koffiLoaded = () => Object.keys(require.cache).some((p) => p.includes(`${sep}koffi${sep}`));

// vitest.config.mjs runs this file only off Windows.
describe('@localwire/named-pipe off Windows', () => {
  it('imports without loading koffi', () => {
    expect(namedPipeTransport.name).toBe('named-pipe');
    expect(Object.isFrozen(namedPipeTransport)).toBe(true);
    expect(koffiLoaded()).toBe(false);
  });

  it('declares no half-close and no peer credentials here', () => {
    expect(namedPipeTransport.capabilities).toEqual({ halfClose: false, peerCredentials: [] });
  });

  it('rejects listen with ERR_UNSUPPORTED_PLATFORM, before looking at the name', async () => {
    for (const address of ['\\\\.\\pipe\\localwire-test', 'not a pipe name']) {
      const err = await namedPipeTransport.listen(address).catch((e: unknown) => e);
      expect(isTransportError(err, 'ERR_UNSUPPORTED_PLATFORM')).toBe(true);
      expect((err as Error).message).toMatch(/only on Windows, not on /);
    }
  });

  it('rejects connect with ERR_UNSUPPORTED_PLATFORM', async () => {
    const err = await namedPipeTransport
      .connect('\\\\.\\pipe\\localwire-test', { timeout: 10 })
      .catch((e: unknown) => e);
    expect(isTransportError(err, 'ERR_UNSUPPORTED_PLATFORM')).toBe(true);
    expect(koffiLoaded()).toBe(false);
  });
});
