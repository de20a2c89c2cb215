/**
 * Issue 7 on Windows (under Wine): load and faults against an rpc-server over
 * named pipes in another node.exe process (pipe-server.ts, compiled with the
 * tests), so its handles and memory are its own. Only the Windows config
 * includes this folder; the Linux config excludes it (see the vitest configs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { namedPipeTransport } from '@localwire/named-pipe';
import type { Connection } from '@localwire/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRpc, type RpcClient } from '../../../src/index.js';
import { tempAddress } from '../../support/address.js';
import { settle } from '../processes.js';

/** Connections held at once: issue 7 asks for at least 500 on the pipe transport. */
const CONNECTIONS = 500;
/** How long each connection keeps calling. */
const CALLING_MS = 5_000;
/** Clients that connect and drop, in each of three ways. */
const DROPS = 300;

interface Stats {
  connections: number;
  accepted: number;
  handled: number;
  handles: number;
  via: string;
  rss: number;
  errors: string[];
}

class PipeServer {
  readonly child: ChildProcess;
  readonly #lines: AsyncIterator<string>;

  constructor(readonly address: string) {
    const script = fileURLToPath(new URL('./pipe-server.js', import.meta.url));
    this.child = spawn(process.execPath, [script, address], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#lines = createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
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

  stats(): Promise<Stats> {
    this.child.stdin!.write('{"cmd":"stats"}\n');
    return this.next<Stats>();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

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
      () => server.stats(),
      (s) => s.connections === CONNECTIONS,
      `${CONNECTIONS} server connections`,
    );
    const latencies: number[] = [];
    const failures: unknown[] = [];
    const stopAt = Date.now() + CALLING_MS;
    const started = Date.now();
    let peakRss = 0;
    const sampler = setInterval(() => {
      server.stats().then(
        (s) => {
          peakRss = Math.max(peakRss, s.rss);
        },
        () => {},
      );
    }, 500);
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
    clearInterval(sampler);
    const stats = await server.stats();
    peakRss = Math.max(peakRss, stats.rss);
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
      () => server.stats(),
      (s) => s.connections === 0,
      'every connection to close',
    );
    // The handle count sees the pipes: each held connection had at least its own handle, now closed.
    expect(held.handles - closed.handles).toBeGreaterThanOrEqual(CONNECTIONS);
    console.log(
      `pipe load: server handles ${held.handles} with ${CONNECTIONS} connections held, ${closed.handles} once they closed (${closed.via})`,
    );
  }, 120_000);

  it(`${DROPS} clients that connect and drop at once, mid-message or after a call leave no handle behind`, async () => {
    const idle = async (s: Stats) => s.connections === 0;
    // Baseline: after a warm-up round, so lazily created handles (thread pool, events) already exist.
    const warm = await openClients(server.address, 20);
    await Promise.all(warm.map((client) => client.request('echo', [1])));
    await Promise.all(warm.map((client) => client.close()));
    const baseline = await settle(
      () => server.stats(),
      (s) => s.connections === 0,
      'warm-up to close',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await server.stats();
    expect(await idle(before)).toBe(true);

    const ways = ['at once', 'mid-message', 'after a call'] as const;
    let faults = 0;
    for (let i = 0; i < DROPS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, DROPS - i) }, async (_, j) => {
          const way = ways[(i + j) % ways.length]!;
          const connection: Connection = await namedPipeTransport.connect(server.address, {
            timeout: 30_000,
          });
          connection.on('error', () => {});
          const closed = once(connection, 'close');
          if (way === 'mid-message') connection.write('{"jsonrpc":"2.0","id":1,"method":"ec');
          if (way === 'after a call') {
            const answered = once(connection, 'data');
            connection.write('{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}\n');
            await answered;
          }
          // Byte-mode pipes have no half-close: the client leaves by closing its handle.
          connection.destroy();
          await closed;
          faults++;
        }),
      );
    }
    const after = await settle(
      () => server.stats(),
      (s) => s.connections === 0 && s.handles <= before.handles,
      `the server's handles to return to ${before.handles}`,
    );
    // The server still serves.
    const [client] = await openClients(server.address, 1);
    expect(await client!.request('echo', ['still here'])).toEqual(['still here']);
    await client!.close();
    expect(after.errors).toEqual([]);
    console.log(
      `pipe faults: ${faults} clients dropped (${DROPS / 3} at once, ${DROPS / 3} mid-message, ${DROPS / 3} after a call), 0 lost; server handles ${before.handles} before (${before.via}; ${baseline.handles} right after warm-up), ${after.handles} after; server RSS ${mib(after.rss)}`,
    );
  }, 120_000);
});
