import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { tempAddress } from '../../helpers/address.js';
import { Fixture } from '../processes.js';
import { killAndRestart } from '../reconnect-scenario.js';

/**
 * Issue 17 over named pipes, under Wine: reconnect-scenario.ts with the
 * server in another node.exe process (reconnect-server.ts), killed
 * (TerminateProcess) and started again. Fewer calls than on Linux: each
 * node.exe start costs seconds under Wine.
 */

const SERVER = fileURLToPath(new URL('./reconnect-server.js', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'lw-reconnect-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('200 calls across 5 kills of a named-pipe server', async () => {
  const address = tempAddress();
  const log = join(directory, 'calls.log');
  writeFileSync(log, '');
  const start = async () => {
    const server = new Fixture(SERVER, [address, log]);
    expect(await server.next<{ listening: boolean }>(120_000)).toMatchObject({ listening: true });
    return server;
  };
  await killAndRestart(address, log, start, 200, 5);
}, 600_000);
