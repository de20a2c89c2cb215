import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTransportError } from '@localwire/transport';
import { expect } from 'vitest';
import { connectRpc, type RpcClientState } from '../../src/index.js';
import { transport } from '../helpers/transport.js';
import { settle, within } from './processes.js';

/**
 * Issue 17's kill/restart scenario, for every transport: a server process
 * (reconnect-server: `put` idempotent, `once` not, each logged to a file
 * before it answers; `ticks` pushes `{ pid, n }`) is killed `kills` times
 * and started again while one client makes `calls` calls and reads a
 * subscription. The log outlives the kills, so how often each call ran is
 * the server's own count.
 */

/** A server process of the scenario. */
export interface ScenarioServer {
  readonly pid: number;
  /** Kills it (SIGKILL, or TerminateProcess on Windows) and waits for it to exit. */
  kill(): Promise<void>;
}

/** How often each `method key` ran, from the server's log. */
function executions(log: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (line !== '') counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return counts;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs the scenario against servers `start()` starts at `address`, logging to `log`. */
export async function killAndRestart(
  address: string,
  log: string,
  start: () => Promise<ScenarioServer>,
  calls: number,
  kills: number,
): Promise<void> {
  let server = await start();
  const client = await connectRpc(transport, address, {
    reconnect: { initialDelay: 10, maxDelay: 200 },
  });
  const states: RpcClientState[] = [];
  const attempts: number[] = [];
  client.addEventListener('statechange', (event) => states.push(event.state));
  client.addEventListener('reconnected', (event) => attempts.push(event.attempts));

  // The subscription: which servers' pushes came, and how many gaps it was told of.
  const ticks = await client.subscribe<{ pid: number; n: number }>('ticks');
  const pushedBy = new Set<number>();
  const gaps: Array<{ previousId: string; id: string }> = [];
  ticks.addEventListener('gap', (event) =>
    gaps.push({ previousId: event.previousId, id: event.id }),
  );
  const reading = (async () => {
    try {
      for await (const tick of ticks) pushedBy.add(tick.pid);
      return undefined;
    } catch (error) {
      return error;
    }
  })();

  // The calls: even keys idempotent (`put`), odd ones not (`once`), ten at a time.
  const outcomes = new Map<number, Outcome>();
  const calling = (async () => {
    for (let i = 0; i < calls; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const key = i + j;
          const idempotent = key % 2 === 0;
          try {
            const value = await client.request(idempotent ? 'put' : 'once', [key], {
              idempotent,
              timeout: 30_000,
            });
            outcomes.set(key, { ok: true, value });
          } catch (error) {
            outcomes.set(key, { ok: false, error });
          }
        }),
      );
      await sleep(2);
    }
  })();

  const pids = [server.pid];
  for (let kill = 1; kill <= kills; kill++) {
    await settle(
      () => outcomes.size,
      (n) => n >= (kill * calls) / (kills + 1),
      `calls before kill ${kill}`,
    );
    await server.kill();
    server = await start();
    pids.push(server.pid);
    const pid = server.pid;
    await settle(
      () => pushedBy.has(pid),
      (delivered) => delivered,
      `a push from the server started after kill ${kill}`,
    );
  }
  await within(calling, 60_000, 'the calls');

  const ran = executions(log);
  let resent = 0;
  let reset = 0;
  for (let key = 0; key < calls; key++) {
    const outcome = outcomes.get(key)!;
    if (key % 2 === 0) {
      expect(outcome, `put ${key}`).toEqual({ ok: true, value: key });
      expect(ran.get(`put ${key}`), `put ${key}`).toBeGreaterThanOrEqual(1);
      if (ran.get(`put ${key}`)! > 1) resent++;
    } else if (outcome.ok) {
      expect(outcome.value).toBe(key);
      expect(ran.get(`once ${key}`), `once ${key}`).toBe(1);
    } else {
      expect(isTransportError(outcome.error, 'ECONNRESET'), String(outcome.error)).toBe(true);
      expect(ran.get(`once ${key}`) ?? 0, `once ${key}`).toBeLessThanOrEqual(1);
      reset++;
    }
  }
  // Each server's subscription delivered: the first one's, and one per restart.
  expect([...pushedBy].sort()).toEqual([...pids].sort());
  // A dying server may still take a connection in its last moments, which
  // then drops too: at least one reconnect per kill, each 'reconnecting' then 'open'.
  const reconnects = attempts.length;
  expect(reconnects).toBeGreaterThanOrEqual(kills);
  expect(states).toEqual(Array.from({ length: reconnects }, () => ['reconnecting', 'open']).flat());
  // Subscribed again at least once per kill (on a connection that then dropped, maybe not), each time under a new id.
  expect(gaps.length).toBeGreaterThanOrEqual(kills);
  expect(gaps.length).toBeLessThanOrEqual(reconnects);
  expect(new Set([ticks.id, ...gaps.map((gap) => gap.previousId)]).size).toBe(gaps.length + 1);
  expect(gaps.at(-1)?.id).toBe(ticks.id);
  console.log(
    `reconnect: ${kills} kills, ${reconnects} reconnects; ${reset} non-idempotent calls rejected ECONNRESET, ${resent} idempotent ones ran more than once; attempts ${attempts.join(',')}`,
  );

  await client.close();
  expect(states.at(-1)).toBe('closed');
  expect(client.closeReason).toEqual({ kind: 'close', error: undefined });
  expect(await reading).toMatchObject({ code: 'ECONNRESET' });
  await server.kill();
}
