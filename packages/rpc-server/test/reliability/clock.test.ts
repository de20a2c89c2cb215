import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRpc, type RpcClient } from '../../src/index.js';
import { tempAddress } from '../helpers/address.js';
import { transport } from '../helpers/transport.js';
import { Fixture, isLinux, settle } from './processes.js';

/**
 * The server's timeouts when the wall clock jumps: the server runs in its own
 * process under libfaketime, whose wall clock the test sets through a file
 * while the monotonic clock runs on untouched. Debian's libfaketime comes
 * from scripts/libfaketime.sh, which installs it if it is missing. Linux only
 * (vitest.windows.config.mjs leaves it out).
 */

const LIBFAKETIME_SCRIPT = fileURLToPath(
  new URL('../../../../scripts/libfaketime.sh', import.meta.url),
);
const HOUR = 3_600_000;
let libfaketime = '';

interface Clock {
  wall: number;
  monotonic: number;
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** A server fixture whose wall clock is offset by what `setOffset` writes. */
async function serverWithMovableClock(limits: Record<string, number>) {
  const dir = mkdtempSync(join(tmpdir(), 'lw-clock-'));
  const offsetFile = join(dir, 'offset');
  writeFileSync(offsetFile, '+0\n');
  const address = tempAddress();
  const server = new Fixture('server.mjs', [address, JSON.stringify({ limits })], {
    env: {
      LD_PRELOAD: libfaketime,
      FAKETIME_TIMESTAMP_FILE: offsetFile,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
  });
  cleanup.push(async () => {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await server.next();
  return {
    server,
    address,
    /** Moves the server's wall clock: `'+2h'`, `'-1h'` (libfaketime's offsets). */
    setOffset: (offset: string) => writeFileSync(offsetFile, `${offset}\n`),
    clock: () => server.ask<Clock>({ cmd: 'clock' }),
  };
}

/** Moves the wall clock by `offset` and checks that it moved by about `expectedMs` while the monotonic clock did not. */
async function jump(
  s: Awaited<ReturnType<typeof serverWithMovableClock>>,
  offset: string,
  expectedMs: number,
) {
  const before = await s.clock();
  s.setOffset(offset);
  const after = await s.clock();
  const wallMoved = after.wall - before.wall;
  const monotonicMoved = after.monotonic - before.monotonic;
  expect(Math.abs(wallMoved - expectedMs)).toBeLessThan(60_000);
  expect(monotonicMoved).toBeLessThan(60_000);
}

async function connect(address: string): Promise<RpcClient> {
  const client = await connectRpc(transport, address);
  cleanup.push(() => client.close());
  return client;
}

describe.runIf(isLinux)('timeouts when the wall clock jumps (a server under libfaketime)', () => {
  beforeAll(() => {
    libfaketime = execFileSync('bash', [LIBFAKETIME_SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  }, 120_000);

  it('does not close a connection as idle when the wall clock jumps two hours forward', async () => {
    // idleTimeout 4 s: the watchdog ticks every second.
    const s = await serverWithMovableClock({ idleTimeout: 4000 });
    const client = await connect(s.address);
    expect(await client.request('echo', [1])).toEqual([1]);
    // A tick has seen the call (the connection was active); then the clock jumps.
    await sleep(1500);
    await jump(s, '+2h', 2 * HOUR);
    // Ticks after the jump, with about 3 s of the 4 s idle gone: still open.
    await sleep(1500);
    expect(client.state).toBe('open');
    expect((await s.server.ask<{ open: number }>({ cmd: 'stats' })).open).toBe(1);
    // And the timeout still works: left idle, it closes once 4 s have passed.
    const stopped = new Promise<void>((resolve) => {
      client.addEventListener('statechange', () => {
        if (client.state === 'closed') resolve();
      });
    });
    await settle(
      async () => (await s.server.ask<{ open: number }>({ cmd: 'stats' })).open,
      (open) => open === 0,
      'the server to close the idle connection',
      15_000,
    );
    await stopped;
  });

  it('still reports the next connection over the limit a second later when the wall clock is set back an hour', async () => {
    const s = await serverWithMovableClock({ maxConnections: 1 });
    const held = await connect(s.address);
    expect(await held.request('echo', [1])).toEqual([1]);
    const errorCount = async () =>
      (await s.server.ask<{ errorCount: number }>({ cmd: 'stats' })).errorCount;
    // One refused connection: reported at once.
    await expect(connect(s.address).then((c) => c.request('echo', [2]))).rejects.toThrow();
    await settle(errorCount, (n) => n === 1, 'the first refusal to be reported', 10_000);
    await jump(s, '-1h', -HOUR);
    // More than the throttle's second later, the next refusal is reported
    // too (with the wall clock, it would have waited the hour).
    await sleep(1200);
    await expect(connect(s.address).then((c) => c.request('echo', [3]))).rejects.toThrow();
    await settle(errorCount, (n) => n === 2, 'the second refusal to be reported', 10_000);
  });
});
