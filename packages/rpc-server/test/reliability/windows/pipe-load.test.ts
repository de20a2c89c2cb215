/**
 * Issue 7 on Windows (under Wine): load and faults against an rpc-server over
 * named pipes in another node.exe process (pipe-server.ts, compiled with the
 * tests), so its handles, memory and fate (TerminateProcess) are its own: the
 * counterpart of soak.test.ts and faults.test.ts. Only the Windows config
 * includes this folder; the Linux config excludes it (see the vitest configs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { namedPipeTransport } from '@localwire/named-pipe';
import type { Connection } from '@localwire/transport';
import { ndjson } from '@localwire/transport/framing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRpc, createRpcServer, type RpcClient } from '../../../src/index.js';
import { tempAddress } from '../../helpers/address.js';
import { settle, within } from '../processes.js';

/** Connections held at once: issue 7 asks for at least 500 on the pipe transport. */
const CONNECTIONS = 500;
/** How long each connection keeps calling. */
const CALLING_MS = 5_000;
/** Clients that connect and drop, for each of the three ways. */
const DROPS = 1000;
/** Requests the slow reader sends without reading an answer. */
const SLOW_REQUESTS = 100_000;
/** Calls pending on the server when it is killed. */
const PENDING = 200;
const MiB = 2 ** 20;

interface Stats {
  connections: number;
  accepted: number;
  handled: number;
  noted: number;
  paused: number;
  received: number;
  handles: number;
  via: string;
  rss: number;
  errors: string[];
}

class PipeServer {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  readonly #lines: AsyncIterator<string>;

  constructor(readonly address: string) {
    const script = fileURLToPath(new URL('./pipe-server.js', import.meta.url));
    this.child = spawn(process.execPath, [script, address], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.exited = once(this.child, 'exit');
    this.#lines = createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }

  /** Still running: a killed child has a `signalCode` and no `exitCode`. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async next<T>(timeoutMs = 60_000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no report within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const line = await Promise.race([this.#lines.next(), timeout]);
      if (line.done) throw new Error(`the server exited (${this.child.exitCode})`);
      return JSON.parse(line.value) as T;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The server's counters; its handles only when asked, since counting them
   * under Wine asks the wineserver about every handle value (see pipe-server.ts).
   */
  stats(options: { handles?: boolean } = {}): Promise<Stats> {
    this.child.stdin!.write(
      `${JSON.stringify({ cmd: 'stats', handles: options.handles === true })}\n`,
    );
    return this.next<Stats>();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill(), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills the server hard (under Wine, `SIGKILL` is `TerminateProcess`) and waits for its exit. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const request = (id: number, method: string, params: unknown) =>
  `${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`;

/** Samples the server's RSS (on Windows, its working set) every `everyMs` until `stop()`, which resolves with the peak. */
function sampleRss(server: PipeServer, everyMs: number) {
  let peak = 0;
  const note = (s: Stats) => {
    peak = Math.max(peak, s.rss);
  };
  const sampler = setInterval(() => server.stats().then(note, () => {}), everyMs);
  return {
    async stop(): Promise<number> {
      clearInterval(sampler);
      note(await server.stats());
      return peak;
    },
  };
}

/** Resolves once `connection` has delivered an answer for every id in 0…total-1; counts the rest. */
function answersFor(connection: Connection, total: number) {
  const seen = new Uint8Array(total);
  const state = { answered: 0, other: 0, all: Promise.resolve() };
  const decoder = ndjson.createDecoder();
  state.all = new Promise((resolve) => {
    connection.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      for (let r = decoder.next(); r !== undefined; r = decoder.next()) {
        const id = r.ok ? (r.message as { id: unknown }).id : undefined;
        if (typeof id === 'number' && id >= 0 && id < total && seen[id] === 0) {
          seen[id] = 1;
          state.answered++;
        } else {
          state.other++;
        }
      }
      if (state.answered === total) resolve();
    });
  });
  return state;
}

/** Opens `count` RPC clients, `batch` at a time so the server's pending instances keep up. */
async function openClients(address: string, count: number, batch = 50): Promise<RpcClient[]> {
  const clients: RpcClient[] = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    clients.push(
      ...(await Promise.all(
        Array.from({ length: n }, () =>
          connectRpc(namedPipeTransport, address, {
            connect: { timeout: 30_000 },
            requestTimeout: 30_000,
          }),
        ),
      )),
    );
  }
  return clients;
}

describe('named pipes under load and faults (issue 7, Windows)', () => {
  let server: PipeServer;

  beforeAll(async () => {
    server = new PipeServer(tempAddress());
    expect(await server.next<{ listening: boolean }>()).toMatchObject({ listening: true });
  });
  afterAll(async () => {
    await server.stop();
  });

  it(`holds ${CONNECTIONS} connections, each calling for ${CALLING_MS / 1000} s, with no failed call`, async () => {
    const clients = await openClients(server.address, CONNECTIONS);
    const held = await settle(
      () => server.stats({ handles: true }),
      (s) => s.connections === CONNECTIONS,
      `${CONNECTIONS} server connections`,
    );
    const latencies: number[] = [];
    const failures: unknown[] = [];
    const stopAt = Date.now() + CALLING_MS;
    const started = Date.now();
    const rss = sampleRss(server, 500);
    await Promise.all(
      clients.map(async (client, k) => {
        for (let i = 0; Date.now() < stopAt; i++) {
          const sent = [k, i, 'é𝄞'];
          const t0 = performance.now();
          try {
            const answer = await client.request('echo', sent);
            latencies.push(performance.now() - t0);
            if (JSON.stringify(answer) !== JSON.stringify(sent)) failures.push({ k, i, answer });
          } catch (error) {
            failures.push(error);
          }
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    const peakRss = await rss.stop();
    const stats = await server.stats();
    await Promise.all(clients.map((client) => client.close()));

    expect(failures).toEqual([]);
    expect(stats.errors).toEqual([]);
    expect(stats.handled).toBeGreaterThanOrEqual(latencies.length);
    latencies.sort((a, b) => a - b);
    const p = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    expect(latencies.length).toBeGreaterThan(CONNECTIONS);
    console.log(
      `pipe load: ${CONNECTIONS} connections held, ${latencies.length} calls in ${elapsed.toFixed(1)} s = ${Math.round(latencies.length / elapsed)} calls/s, 0 failed; p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms; server RSS peak ${mib(peakRss)}, client RSS ${mib(process.memoryUsage().rss)}`,
    );
    const closed = await settle(
      () => server.stats({ handles: true }),
      (s) => s.connections === 0,
      'every connection to close',
    );
    // The handle count sees the pipes: each held connection had at least its own handle, now closed.
    expect(held.handles - closed.handles).toBeGreaterThanOrEqual(CONNECTIONS);
    console.log(
      `pipe load: server handles ${held.handles} with ${CONNECTIONS} connections held, ${closed.handles} once they closed (${closed.via})`,
    );
  }, 120_000);

  describe(`${DROPS} clients for each way of dropping`, () => {
    let before: Stats;

    beforeAll(async () => {
      // Baseline: after a warm-up round, so lazily created handles (thread pool, events) already exist.
      const warm = await openClients(server.address, 20);
      await Promise.all(warm.map((client) => client.request('echo', [1])));
      await Promise.all(warm.map((client) => client.close()));
      await settle(
        () => server.stats(),
        (s) => s.connections === 0,
        'warm-up to close',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      before = await server.stats({ handles: true });
      expect(before.connections).toBe(0);
    });

    it.each(['at once', 'mid-message', 'after a call'] as const)(
      `${DROPS} clients that drop %s leave no handle behind`,
      async (way) => {
        const { accepted } = await server.stats();
        const started = performance.now();
        for (let i = 0; i < DROPS; i += 50) {
          await Promise.all(range(Math.min(50, DROPS - i)).map(() => connectAndDrop(way)));
        }
        const dropped = performance.now() - started;
        const after = await settle(
          () => server.stats({ handles: true }),
          (s) => s.connections === 0 && s.handles <= before.handles,
          `the server's handles to return to ${before.handles}`,
        );
        expect(after.handles).toBeLessThanOrEqual(before.handles);
        // The server still serves.
        const [client] = await openClients(server.address, 1);
        expect(await client!.request('echo', ['still here'])).toEqual(['still here']);
        await client!.close();
        expect(after.errors).toEqual([]);
        console.log(
          `pipe faults: ${DROPS} clients dropped ${way} in ${(dropped / 1000).toFixed(1)} s (the server accepted ${after.accepted - accepted}), 0 lost; server handles ${before.handles} before (${before.via}), ${after.handles} after; server RSS ${mib(after.rss)}`,
        );
      },
      60_000,
    );

    /** Connects straight through the transport, then leaves in the given way. */
    async function connectAndDrop(way: 'at once' | 'mid-message' | 'after a call') {
      const connection: Connection = await namedPipeTransport.connect(server.address, {
        timeout: 30_000,
      });
      connection.on('error', () => {});
      const closed = once(connection, 'close');
      if (way === 'mid-message') connection.write('{"jsonrpc":"2.0","id":1,"method":"ec');
      if (way === 'after a call') {
        const answered = once(connection, 'data');
        connection.write(request(1, 'echo', [1]));
        await answered;
      }
      // Byte-mode pipes have no half-close: the client leaves by closing its handle.
      connection.destroy();
      await closed;
    }
  });

  it(`stops reading from a client that sends ${SLOW_REQUESTS} requests and never reads, within 64 MiB`, async () => {
    const before = await server.stats();
    const rss = sampleRss(server, 50);
    const slow = await namedPipeTransport.connect(server.address, { timeout: 30_000 });
    slow.on('error', () => {});
    slow.pause();
    const payload = range(SLOW_REQUESTS)
      .map((i) => request(i, 'note', [i]))
      .join('');
    const writing = performance.now();
    slow.write(payload);

    // The server handles requests until its answers fill the pipe, then stops taking more.
    let last = -1;
    const stopped = await settle(
      async () => {
        const s = await server.stats();
        const steady = s.noted === last;
        last = s.noted;
        return { ...s, steady };
      },
      (s) => s.paused >= 1 && s.steady && s.noted > before.noted,
      'the server to stop reading from the slow client',
    );
    const stoppedAfter = performance.now() - writing;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = await server.stats();
    expect(later.noted).toBe(stopped.noted);
    const handled = stopped.noted - before.noted;
    expect(handled).toBeLessThan(SLOW_REQUESTS / 10);
    // What the server has not handled stays with the client: the server read
    // little more than it handled (named-pipe caps each read; libuv alone
    // would take the client's whole 5.9 MiB pending write in one read).
    expect(later.received).toBeLessThan(MiB);
    const waitingWithClient = slow.writableLength;
    expect(waitingWithClient).toBeGreaterThan(payload.length - MiB);

    // Meanwhile another client is served.
    const [other] = await openClients(server.address, 1);
    for (let i = 0; i < 20; i++) expect(await other!.request('echo', [i])).toEqual([i]);
    await other!.close();
    const peak = await rss.stop();
    const grown = peak - before.rss;
    expect(grown).toBeLessThan(64 * MiB);

    // Once the client reads, every answer arrives: nothing was lost.
    const reading = performance.now();
    const answers = answersFor(slow, SLOW_REQUESTS);
    slow.resume();
    await within(answers.all, 45_000, `all ${SLOW_REQUESTS} answers`);
    const readFor = performance.now() - reading;
    expect(answers.answered).toBe(SLOW_REQUESTS);
    expect(answers.other).toBe(0);
    slow.destroy();
    const after = await settle(
      () => server.stats(),
      (s) => s.connections === 0,
      'the slow client to close',
    );
    expect(after.noted - before.noted).toBe(SLOW_REQUESTS);
    expect(after.errors).toEqual([]);
    console.log(
      `slow reader: the server handled ${handled} of ${SLOW_REQUESTS} requests, then stopped reading (${stopped.paused} paused, ${(stoppedAfter / 1000).toFixed(1)} s after the write; ${mib(later.received)} of the ${mib(payload.length)} written read in by the server, ${mib(waitingWithClient)} still waiting on the client's side); RSS grew ${mib(grown)} (${mib(before.rss)} -> peak ${mib(peak)}); another client made 20 calls meanwhile; once read, all ${SLOW_REQUESTS} answers arrived in ${(readFor / 1000).toFixed(1)} s`,
    );
  }, 90_000);
});

describe('a server killed hard (issue 7, Windows)', () => {
  it(`fails all ${PENDING} pending requests with ECONNRESET, its pipe is gone (ENOENT), and a new listen serves on the name`, async () => {
    const killed = new PipeServer(tempAddress());
    const { address } = killed;
    try {
      expect(await killed.next<{ listening: boolean }>()).toMatchObject({ listening: true });
      const [client] = await openClients(address, 1);
      const pending = range(PENDING).map(() =>
        client!.request('slow', [60_000]).then(
          () => 'answered',
          (error: unknown) => error,
        ),
      );
      await settle(
        () => killed.stats(),
        (s) => s.handled === PENDING,
        `all ${PENDING} calls to start`,
      );

      const killing = performance.now();
      await killed.kill();
      const outcomes = await within(Promise.all(pending), 10_000, 'the pending requests');
      const rejectedAfter = performance.now() - killing;
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({ code: 'ECONNRESET', address });
      }
      await settle(() => client!.signal.aborted, Boolean, 'the client to see the close', 10_000);
      await expect(client!.request('echo', [1])).rejects.toMatchObject({ code: 'ECONNRESET' });

      // A named pipe leaves no stale file: with its last handle closed, the name is gone.
      const connecting = performance.now();
      await expect(
        within(namedPipeTransport.connect(address, { timeout: 5000 }), 10_000, 'connect'),
      ).rejects.toMatchObject({ code: 'ENOENT', address });
      const refusedAfter = performance.now() - connecting;

      // A new server takes the name and serves.
      const next = createRpcServer({ methods: { ping: () => 'pong' } });
      await next.listen(namedPipeTransport, address);
      const [again] = await openClients(address, 1);
      expect(await again!.request('ping')).toBe('pong');
      await again!.close();
      await next.close();
      await expect(
        within(namedPipeTransport.connect(address, { timeout: 5000 }), 10_000, 'connect'),
      ).rejects.toMatchObject({ code: 'ENOENT', address });
      console.log(
        `killed server: ${PENDING} pending requests rejected with ECONNRESET ${rejectedAfter.toFixed(0)} ms after the kill (exit included); a new connect failed with ENOENT in ${refusedAfter.toFixed(0)} ms; a new listen on the name served`,
      );
    } finally {
      await killed.kill();
    }
  }, 60_000);
});
