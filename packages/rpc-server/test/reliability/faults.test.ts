import { lstatSync } from 'node:fs';
import type { Connection } from '@localwire/transport';
import { ndjson } from '@localwire/transport/framing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRpc, createRpcServer, type RpcClient } from '../../src/index.js';
import { tempAddress } from '../helpers/address.js';
import { transport } from '../helpers/transport.js';
import { Fixture, isLinux, openFds, rssOf, settle, within } from './processes.js';

/**
 * Issue 7, faults: a server in a child process (so that its file descriptors
 * and memory are its own) under clients that drop, half-close, never read,
 * and a server killed with SIGKILL. A well-behaved client calls it all along.
 */

interface Stats {
  connections: number;
  open: number;
  handled: number;
  noted: number;
  paused: number;
  errors: string[];
}

const FAULTS = 1000;
const MiB = 1024 * 1024;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const request = (id: number, method = 'echo', params: unknown = [id]) =>
  `${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`;

/** Calls `echo` on `client` in a loop, checking every answer, until stopped. */
function startTraffic(client: RpcClient) {
  const state = { calls: 0, failures: [] as unknown[], stopped: false, done: Promise.resolve() };
  state.done = (async () => {
    for (let i = 0; !state.stopped && i < 10_000_000; i++) {
      try {
        const params = [i, 'é𝄞', { n: i }];
        const answer = await client.request('echo', params);
        if (JSON.stringify(answer) !== JSON.stringify(params)) {
          state.failures.push(new Error(`wrong answer ${JSON.stringify(answer)}`));
        }
        state.calls++;
      } catch (error) {
        state.failures.push(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return state;
}

/** Writes `data`, then destroys the connection once it has gone out. */
function writeAndDrop(connection: Connection, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    connection.on('error', () => {});
    connection.write(data, () => {
      connection.destroy();
      resolve();
    });
  });
}

describe.runIf(isLinux)('faults (issue 7): a server in another process', () => {
  let server: Fixture;
  let address: string;
  let good: RpcClient;
  let traffic: ReturnType<typeof startTraffic>;
  let baseline: number;
  const injected: Record<string, number> = {};
  const stats = () => server.ask<Stats>({ cmd: 'stats' });

  /** Waits until only the good client is connected and the fds are back to the baseline. */
  async function expectNothingLeaked(what: string): Promise<void> {
    await settle(
      stats,
      (s) => s.open === 1 && s.connections === 1,
      `${what}: connections to close`,
    );
    const fds = await settle(
      () => openFds(server.pid),
      (n) => n <= baseline,
      `${what}: fds back to ${baseline}`,
    );
    expect(fds).toBe(baseline);
  }

  /** Asserts the good client made progress, and never failed, since `calls`. */
  async function expectStillServing(calls: number): Promise<void> {
    await settle(
      () => traffic.calls,
      (n) => n >= calls + 5,
      'the good client to make calls',
    );
    expect(traffic.failures).toEqual([]);
  }

  beforeAll(async () => {
    address = tempAddress();
    server = new Fixture('server.mjs', [address]);
    expect(await server.next()).toMatchObject({ listening: true });
    good = await connectRpc(transport, address, { requestTimeout: 30_000 });
    await good.request('echo', [0]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    baseline = openFds(server.pid);
    traffic = startTraffic(good);
  }, 60_000);

  afterAll(async () => {
    if (traffic) {
      traffic.stopped = true;
      await traffic.done;
    }
    await good?.close();
    await server?.kill();
    console.log(
      `faults: injected ${JSON.stringify(injected)}; the good client made ${traffic?.calls} calls, ${traffic?.failures.length} failed`,
    );
  });

  it(`survives ${FAULTS} clients that connect and drop at once, leaking nothing`, async () => {
    const calls = traffic.calls;
    await Promise.all(
      range(FAULTS).map(async () => {
        const connection = await transport.connect(address);
        connection.destroy();
      }),
    );
    injected['connect and drop'] = FAULTS;
    await expectStillServing(calls);
    await expectNothingLeaked('connect and drop');
  }, 120_000);

  it(`survives ${FAULTS} clients that drop mid-message, leaking nothing`, async () => {
    const calls = traffic.calls;
    const partial = request(1, 'echo', ['x'.repeat(1000)]);
    const splitChar = Buffer.from(request(2, 'echo', ['é'.repeat(50)]));
    await Promise.all(
      range(FAULTS).map(async (i) => {
        const connection = await transport.connect(address);
        switch (i % 4) {
          case 0: // half a request
            return writeAndDrop(connection, partial.slice(0, 40 + (i % 900)));
          case 1: // complete requests and a partial one, answers never read
            return writeAndDrop(connection, request(1) + request(2) + partial.slice(0, 50));
          case 2: // inside a multi-byte character
            return writeAndDrop(connection, splitChar.subarray(0, splitChar.indexOf('é') + 1));
          default: // requests still running when the client goes away
            return writeAndDrop(
              connection,
              range(10)
                .map((n) => request(n, 'slow', [20]))
                .join(''),
            );
        }
      }),
    );
    injected['drop mid-message'] = FAULTS;
    await expectStillServing(calls);
    await expectNothingLeaked('drop mid-message');
  }, 120_000);

  it(`answers ${FAULTS} clients that half-close, then closes them, leaking nothing`, async () => {
    const calls = traffic.calls;
    const outcomes = await Promise.all(
      range(FAULTS).map(async (i) => {
        const connection = await transport.connect(address);
        const count = 1 + (i % 3);
        const cutShort = i % 5 === 0;
        const received: Buffer[] = [];
        connection.on('data', (chunk: Buffer) => received.push(chunk));
        const closed = new Promise((resolve) => connection.once('close', resolve));
        const lines = range(count).map((n) => request(i * 10 + n));
        connection.end(lines.join('') + (cutShort ? '{"jsonrpc":"2.0","id":"cut","meth' : ''));
        await within(closed, 60_000, `half-closed client ${i} to be closed by the server`);
        const decoder = ndjson.createDecoder();
        decoder.push(Buffer.concat(received));
        decoder.end();
        const answers: unknown[] = [];
        for (let r = decoder.next(); r !== undefined; r = decoder.next())
          answers.push(r.ok ? r.message : r.error);
        const expected: unknown[] = range(count).map((n) => ({
          jsonrpc: '2.0',
          id: i * 10 + n,
          result: [i * 10 + n],
        }));
        if (cutShort) {
          expected.push({
            jsonrpc: '2.0',
            id: null,
            error: expect.objectContaining({ code: -32700 }),
          });
        }
        return { answers, expected };
      }),
    );
    for (const { answers, expected } of outcomes) expect(answers).toEqual(expected);
    injected['half-close'] = FAULTS;
    await expectStillServing(calls);
    await expectNothingLeaked('half-close');
  }, 120_000);

  it('stops reading from a client that sends 100,000 requests and never reads, within 64 MiB', async () => {
    const before = await stats();
    const rssBefore = rssOf(server.pid);
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(server.pid));
    }, 25);
    try {
      const total = 100_000;
      const slow = await transport.connect(address);
      slow.pause();
      slow.on('error', () => {});
      const payload = range(total)
        .map((i) => request(i, 'note', [i]))
        .join('');
      slow.write(payload);
      // The server handles what fits in the socket buffers, then stops reading.
      let last = -1;
      const paused = await settle(
        async () => {
          const s = await stats();
          const steady = s.noted === last;
          last = s.noted;
          return { ...s, steady };
        },
        (s) => s.paused >= 1 && s.steady && s.noted > 0,
        'the server to stop reading from the slow client',
        60_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const later = await stats();
      expect(later.noted).toBe(paused.noted);
      expect(paused.noted).toBeLessThan(total);
      // What it did not read waits on the client's side.
      expect(slow.writableLength).toBeGreaterThan(MiB);

      // Meanwhile other clients are served: the good one, and a new one.
      await expectStillServing(traffic.calls);
      const fresh = await connectRpc(transport, address, { requestTimeout: 30_000 });
      expect(await fresh.request('echo', ['fresh'])).toEqual(['fresh']);
      await fresh.close();
      const grown = peak - rssBefore;
      console.log(
        `slow reader: the server handled ${paused.noted - before.noted} of ${total} requests before it stopped reading; RSS grew ${(grown / MiB).toFixed(1)} MiB (peak ${(peak / MiB).toFixed(1)} MiB)`,
      );
      expect(grown).toBeLessThan(64 * MiB);

      // Once the client reads, every answer arrives: nothing was lost.
      const seen = new Uint8Array(total);
      let answered = 0;
      const decoder = ndjson.createDecoder();
      const all = new Promise<void>((resolve) => {
        slow.on('data', (chunk: Buffer) => {
          decoder.push(chunk);
          for (let r = decoder.next(); r !== undefined; r = decoder.next()) {
            const id = r.ok ? (r.message as { id: number }).id : -1;
            if (id >= 0 && id < total && seen[id] === 0) {
              seen[id] = 1;
              answered++;
            }
          }
          if (answered === total) resolve();
        });
      });
      slow.resume();
      await within(all, 60_000, 'all 100,000 answers');
      expect(answered).toBe(total);
      slow.destroy();
      injected['slow reader requests'] = total;
    } finally {
      clearInterval(sampler);
    }
    await expectNothingLeaked('slow reader');
  }, 120_000);
});

describe.runIf(isLinux)('a server killed with SIGKILL (issue 7)', () => {
  it('fails every pending request, leaves a stale socket that clients are refused at, and a new listen reclaims it', async () => {
    const address = tempAddress();
    const server = new Fixture('server.mjs', [address]);
    try {
      await server.next();
      const client = await connectRpc(transport, address);
      const pending = [
        ...range(100).map(() => client.request('hang')),
        ...range(100).map(() => client.request('slow', [60_000])),
      ].map((call) =>
        call.then(
          () => 'answered',
          (error: unknown) => error,
        ),
      );
      await settle(
        () => server.ask<Stats>({ cmd: 'stats' }),
        (s) => s.handled === 200,
        'all 200 calls to start',
      );
      await server.kill('SIGKILL');

      const outcomes = await within(Promise.all(pending), 10_000, 'the pending requests');
      for (const outcome of outcomes)
        expect(outcome).toMatchObject({ code: 'ECONNRESET', address });
      await settle(() => client.signal.aborted, Boolean, 'the client to see the close', 10_000);
      await expect(client.request('echo', [1])).rejects.toMatchObject({ code: 'ECONNRESET' });

      // The socket file is left behind; connecting to it is refused at once.
      expect(lstatSync(address).isSocket()).toBe(true);
      await expect(within(transport.connect(address), 10_000, 'connect')).rejects.toMatchObject({
        code: 'ECONNREFUSED',
        address,
      });
      await expect(
        within(connectRpc(transport, address), 10_000, 'connectRpc'),
      ).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });

      // The next listen reclaims the stale socket and serves.
      const next = createRpcServer({ methods: { ping: () => 'pong' } });
      await next.listen(transport, address);
      const again = await connectRpc(transport, address);
      expect(await again.request('ping')).toBe('pong');
      await again.close();
      await next.close();
      await expect(within(transport.connect(address), 10_000, 'connect')).rejects.toMatchObject({
        code: 'ENOENT',
        address,
      });
    } finally {
      await server.kill();
    }
  }, 60_000);
});
