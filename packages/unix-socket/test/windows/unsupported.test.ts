import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTransportError } from '@localwire/transport';
import { afterAll, describe, expect, it } from 'vitest';
import { unixSocketTransport } from '../../src/index.js';

// vitest.config.mjs runs this file only on Windows (and scripts/test-windows.sh
// under Wine): there node:net would turn a socket path into a named pipe, so
// the transport refuses and points to @localwire/named-pipe instead.
describe('@localwire/unix-socket on Windows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'localwire-unix-on-windows-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const address = join(dir, 'app.sock');

  it('runs on Windows', () => {
    expect(process.platform).toBe('win32');
  });

  it('rejects listen with ERR_UNSUPPORTED_PLATFORM and creates nothing', async () => {
    const err = await unixSocketTransport.listen(address).catch((e: unknown) => e);
    expect(isTransportError(err, 'ERR_UNSUPPORTED_PLATFORM')).toBe(true);
    expect((err as Error).message).toMatch(/@localwire\/unix-socket.*Linux, macOS/);
    expect(existsSync(address)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects connect with ERR_UNSUPPORTED_PLATFORM', async () => {
    const err = await unixSocketTransport
      .connect(address, { timeout: 100 })
      .catch((e: unknown) => e);
    expect(isTransportError(err, 'ERR_UNSUPPORTED_PLATFORM')).toBe(true);
  });

  it('declares no peer credentials', () => {
    expect(unixSocketTransport.capabilities.peerCredentials).toEqual([]);
  });
});
