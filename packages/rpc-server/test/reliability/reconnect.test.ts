import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Fixture, isLinux, within } from './processes.js';
import { killAndRestart } from './reconnect-scenario.js';

/**
 * Issue 17: a client that outlives its server, over Unix sockets (the
 * scenario is reconnect-scenario.ts; windows/reconnect.test.ts runs it over
 * named pipes). The server runs in a child process that is killed with
 * SIGKILL and started again.
 */

const directory = mkdtempSync(join(tmpdir(), 'lw-reconnect-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let count = 0;

const CALLS = 1000;
const KILLS = 5;

/** Starts reconnect-server.mjs at `address`, logging to `log`; resolves once it listens. */
async function startServer(address: string, log: string): Promise<Fixture> {
  const server = new Fixture('reconnect-server.mjs', [address, log]);
  const ready = await server.next<{ listening: boolean; pid: number }>();
  expect(ready.listening).toBe(true);
  return server;
}

describe.runIf(isLinux)('reconnect (issue 17): a server killed and restarted', () => {
  it(`${CALLS} calls across ${KILLS} SIGKILLs: idempotent ones succeed, others run at most once, the subscription goes on`, async () => {
    const address = join(directory, `${++count}.sock`);
    const log = join(directory, `${count}.log`);
    writeFileSync(log, '');
    await killAndRestart(address, log, () => startServer(address, log), CALLS, KILLS);
  }, 120_000);

  it('leaves no timer or handle after close(): a client process exits by itself', async () => {
    const address = join(directory, `${++count}.sock`);
    const log = join(directory, `${count}.log`);
    writeFileSync(log, '');
    const server = await startServer(address, log);
    const client = new Fixture('reconnect-client.mjs', [address]);
    expect(await client.next()).toEqual({ state: 'open' });
    await server.kill('SIGKILL');
    expect(await client.next()).toEqual({ state: 'reconnecting' });
    expect(await client.next()).toEqual({
      state: 'closed',
      reason: 'close',
      queued: 'ECONNRESET',
      subscription: 'ECONNRESET',
    });
    const [code] = (await within(client.exited, 10_000, 'the client process to exit')) as [number];
    expect(code).toBe(0);
  }, 60_000);
});
