import { pbkdf2 } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Listener } from '@localwire/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { namedPipeTransport } from '../../src/index.js';
import { echo, holdBusyPipe, pipeName, roundTrip } from './helpers.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * libuv's thread pool has 4 threads. A listener that held one per pending
 * wait (a blocking koffi `.async` call) would leave none for fs or crypto
 * here, and the connects below would stall behind them.
 */
describe('waiting holds no thread', () => {
  it('keeps listeners, busy-waiting clients and thread-pool work all moving at once', async () => {
    const names = [pipeName('starve-a'), pipeName('starve-b')];
    const listeners: Listener[] = [];
    for (const name of names) {
      const listener = echo(await namedPipeTransport.listen(name, { pendingInstances: 4 }));
      listeners.push(listener);
      cleanups.push(() => listener.close());
    }
    // Four more idle listeners: 24 pending instances in all, more than the pool has threads.
    for (let i = 0; i < 4; i++) {
      const idle = await namedPipeTransport.listen(pipeName('starve-idle'), {
        pendingInstances: 4,
      });
      cleanups.push(() => idle.close());
    }
    // A client waiting on a busy pipe for the whole test.
    const busyName = pipeName('starve-busy');
    const busy = holdBusyPipe(busyName);
    cleanups.push(() => busy.release());
    const waiting = namedPipeTransport.connect(busyName, { timeout: 30_000 });

    const pool = Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0
        ? readFile(process.execPath).then((b) => b.length > 0)
        : promisify(pbkdf2)('secret', 'salt', 1000, 32, 'sha256').then((k) => k.length === 32),
    );
    const echoes = Array.from({ length: 16 }, async (_, i) => {
      const client = await namedPipeTransport.connect(names[i % 2]!, { timeout: 30_000 });
      cleanups.push(() => client.destroy());
      return roundTrip(client, `client ${i}`);
    });

    expect(await Promise.all(pool)).toEqual(Array(8).fill(true));
    expect(await Promise.all(echoes)).toEqual(Array.from({ length: 16 }, (_, i) => `client ${i}`));

    busy.freeInstance();
    const late = await waiting;
    cleanups.push(() => late.destroy());
    expect(late.peer?.pid).toBe(process.pid);
  });
});
