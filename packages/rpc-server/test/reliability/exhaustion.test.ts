import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRpc, type RpcClient } from '../../src/index.js';
import { tempAddress } from '../helpers/address.js';
import { connectRaw, transport } from '../helpers/transport.js';
import { Fixture, isLinux, openFds, rssOf, settle, within } from './processes.js';

/**
 * Issue 13: the attacks of a hostile peer on a server in its own process,
 * each driven past its bound while a well-behaved client keeps calling; the
 * figures are printed. Memory is the server child's, after a full GC
 * (heap + external, where Buffers live) and its RSS.
 */

interface Memory {
  heap: number;
  rss: number;
  chunks: number;
  subscriptions: number;
}
interface Stats {
  chunks: number;
  bytes: number;
  connections: number;
  open: number;
  errorCount: number;
  errors: string[];
}

const MiB = 1024 * 1024;
/** Each attack's own bound on its run time (a hang guard, not a timing assertion). */
const ATTACK_MS = 30_000;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const line = (message: unknown) => `${JSON.stringify(message)}\n`;

/** A raw connection, its received bytes and its close. */
async function rawConnect(address: string) {
  const socket = connectRaw(address);
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    received += text;
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed, received: () => received };
}

/** Calls `echo` on `client` in a loop until stopped; counts calls and failures. */
function keepCalling(client: RpcClient) {
  const state = { calls: 0, failures: [] as unknown[], stopped: false, done: Promise.resolve() };
  state.done = (async () => {
    while (!state.stopped) {
      try {
        const answer = await client.request('echo', [state.calls]);
        if (JSON.stringify(answer) !== JSON.stringify([state.calls])) {
          state.failures.push(new Error(`wrong answer ${JSON.stringify(answer)}`));
        }
        state.calls++;
      } catch (error) {
        state.failures.push(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return state;
}

describe.runIf(isLinux)(
  'exhaustion (issue 13): a hostile peer against a server in another process',
  () => {
    let server: Fixture;
    let address: string;
    let good: RpcClient;
    let traffic: ReturnType<typeof keepCalling>;
    const memory = () => server.ask<Memory>({ cmd: 'memory' });
    const stats = () => server.ask<Stats>({ cmd: 'stats' });

    beforeAll(async () => {
      address = tempAddress();
      server = new Fixture('server.mjs', [address, JSON.stringify({ countChunks: true })]);
      await server.next();
      good = await connectRpc(transport, address, { requestTimeout: 10_000 });
      traffic = keepCalling(good);
    });

    afterAll(async () => {
      traffic.stopped = true;
      await traffic.done;
      await good?.close();
      await server?.kill();
    });

    /** The good client is still answered, and never failed. */
    async function expectStillServing(): Promise<void> {
      const before = traffic.calls;
      await settle(
        () => traffic.calls,
        (calls) => calls > before + 3,
        'the good client to be answered',
      );
      expect(traffic.failures).toEqual([]);
    }

    it(
      'tiny writes: memory per pending message stays within 2× its bytes, however it is chunked',
      async () => {
        const CONNECTIONS = 32;
        const ROUNDS = 6000;
        const peers = await Promise.all(
          Array.from({ length: CONNECTIONS }, () => rawConnect(address)),
        );
        const start = '{"jsonrpc":"2.0","id":1,"method":"echo","params":["';
        for (const peer of peers) peer.socket.write(start);
        const begun = CONNECTIONS * start.length;
        const received = (s: Stats) => s.bytes - first.bytes;
        const first = await stats();
        await settle(stats, (s) => received(s) >= begun, 'the messages to begin');
        // Measured from here: the connections and their first bytes cost what they cost.
        const before = await memory();
        // One byte per connection per turn of the loop, so that the server
        // reads them as tiny chunks (how tiny, the figures say).
        for (let round = 0; round < ROUNDS; round++) {
          for (const peer of peers) peer.socket.write('a');
          await new Promise((resolve) => setImmediate(resolve));
        }
        await Promise.all(
          peers.map((p) => new Promise<void>((resolve) => p.socket.write('', () => resolve()))),
        );
        const BYTES = ROUNDS;
        const pending = CONNECTIONS * BYTES;
        await settle(stats, (s) => received(s) >= begun + pending, 'every byte to arrive');
        const held = await memory();
        const chunks = held.chunks - before.chunks;
        const growth = held.heap - before.heap;
        console.log(
          `tiny writes: ${CONNECTIONS} connections × ${BYTES} bytes more of an unfinished message, in ${chunks} chunks (${(pending / chunks).toFixed(1)} bytes each): server heap+external grew ${mib(growth)} (${(growth / pending).toFixed(2)} bytes per byte held), RSS ${mib(held.rss - before.rss)}`,
        );
        // The bound: 2× the bytes held plus a small constant per connection.
        // (The constant: each connection's own socket and endpoint, and GC noise.)
        expect(growth).toBeLessThan(2 * pending + CONNECTIONS * 32 * 1024 + MiB);
        await expectStillServing();
        // Completing the messages gets them answered.
        for (const peer of peers) peer.socket.write('"]}\n');
        await settle(
          () => peers.every((p) => p.received().includes('"result"')),
          Boolean,
          'the answers',
        );
        for (const peer of peers) peer.socket.destroy();
      },
      ATTACK_MS,
    );

    it(
      'deep nesting: 8 MB of "[" is refused without parsing it, and the connection carries on',
      async () => {
        const before = await memory();
        const rssBefore = rssOf(server.pid);
        const peer = await rawConnect(address);
        const started = performance.now();
        peer.socket.write(`${'['.repeat(8 * 1000 * 1000)}\n`);
        peer.socket.write(line({ jsonrpc: '2.0', id: 2, method: 'echo', params: ['after'] }));
        await settle(
          () => peer.received().includes('"after"'),
          Boolean,
          'the answer after the deep one',
        );
        const ms = performance.now() - started;
        const rssGrowth = rssOf(server.pid) - rssBefore;
        const after = await memory();
        const answers = peer
          .received()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        console.log(
          `deep nesting: 8 MB of "[" refused and the next request answered in ${ms.toFixed(0)} ms; server RSS grew ${mib(rssGrowth)}, heap+external ${mib(after.heap - before.heap)}`,
        );
        expect(answers).toEqual([
          {
            jsonrpc: '2.0',
            id: null,
            error: {
              code: -32600,
              message:
                'Invalid Request: a message nests deeper than the limit of 64 levels (maxDepth)',
            },
          },
          { jsonrpc: '2.0', id: 2, result: ['after'] },
        ]);
        // Nothing of it was kept: far less than the 8 MB it was.
        expect(rssGrowth).toBeLessThan(32 * MiB);
        await expectStillServing();
        peer.socket.destroy();
      },
      ATTACK_MS,
    );

    it(
      'idle partial messages: 500 connections that send "Content-Len" and stop are closed at messageTimeout',
      async () => {
        const lspAddress = tempAddress();
        const lsp = new Fixture('server.mjs', [
          lspAddress,
          JSON.stringify({ codec: 'content-length', limits: { messageTimeout: 1000 } }),
        ]);
        try {
          await lsp.next();
          const fdsBefore = openFds(lsp.pid);
          const peers: Array<Awaited<ReturnType<typeof rawConnect>>> = [];
          for (let i = 0; i < 500; i++) {
            const peer = await rawConnect(lspAddress);
            peer.socket.write('Content-Len');
            peers.push(peer);
          }
          const started = performance.now();
          await within(
            Promise.all(peers.map((p) => p.closed)),
            10_000,
            'closing the stalled connections',
          );
          const ms = performance.now() - started;
          const answered = peers.filter((p) =>
            p.received().includes('limits.messageTimeout'),
          ).length;
          const fds = await settle(
            () => openFds(lsp.pid),
            (n) => n <= fdsBefore,
            'the fds to be freed',
          );
          console.log(
            `idle partial messages: 500 stalled connections closed ${ms.toFixed(0)} ms after the last one began (messageTimeout 1000 ms), ${answered} told why; server fds ${fdsBefore} → ${fds}`,
          );
          expect(answered).toBe(500);
          expect((await lsp.ask<Stats>({ cmd: 'stats' })).connections).toBe(0);
        } finally {
          await lsp.kill();
        }
        await expectStillServing();
      },
      ATTACK_MS,
    );

    it(
      'subscription floods: 20,000 subscribes hold 1,000; 40 with 1 MiB args hold none',
      async () => {
        const before = await memory();
        const peer = await rawConnect(address);
        const FLOOD = 20_000;
        let batch = '';
        for (let id = 1; id <= FLOOD; id++) {
          batch += line({ jsonrpc: '2.0', id, method: 'subscribe', params: ['t'] });
          if (id % 1000 === 0) {
            peer.socket.write(batch);
            batch = '';
          }
        }
        await settle(
          () => peer.received().split('\n').length - 1,
          (n) => n >= FLOOD,
          'every subscribe to be answered',
        );
        const answers = peer
          .received()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        const held = answers.filter((a) => typeof a.result === 'string').length;
        const refused = answers.filter((a) => a.error?.code === -32005).length;
        const big = await rawConnect(address);
        const args = 'x'.repeat(MiB);
        for (let id = 1; id <= 40; id++) {
          big.socket.write(
            line({ jsonrpc: '2.0', id, method: 'subscribe', params: ['big', args] }),
          );
        }
        await settle(
          () => big.received().split('\n').length - 1,
          (n) => n >= 40,
          'the big subscribes',
        );
        const bigRefused = big
          .received()
          .trim()
          .split('\n')
          .filter((l) => l.includes('-32005')).length;
        const after = await memory();
        const published = await server.ask<{ subscribers: number; ms: number }>({
          cmd: 'publish',
          topic: 't',
        });
        console.log(
          `subscription floods: ${FLOOD} subscribes → ${held} held, ${refused} refused (-32005); 40 × 1 MiB args → ${bigRefused} refused; server heap+external grew ${mib(after.heap - before.heap)}; one publish to ${published.subscribers} took ${published.ms.toFixed(1)} ms`,
        );
        expect(held).toBe(1000);
        expect(refused).toBe(FLOOD - 1000);
        expect(bigRefused).toBe(40);
        expect(after.subscriptions).toBe(1000);
        // Before the cap 100,000 subscriptions held 34 MB, and 40 × 1 MiB args 41 MB.
        expect(after.heap - before.heap).toBeLessThan(16 * MiB);
        await expectStillServing();
        peer.socket.destroy();
        big.socket.destroy();
        await settle(
          memory,
          (m) => m.subscriptions === 0,
          'the subscriptions to end with their connection',
        );
      },
      ATTACK_MS,
    );

    it(
      'connection floods: over maxConnections closed at once, the server stays up and reports once a second',
      async () => {
        const floodAddress = tempAddress();
        const flood = new Fixture('server.mjs', [
          floodAddress,
          JSON.stringify({ limits: { maxConnections: 50 } }),
        ]);
        try {
          await flood.next();
          const client = await connectRpc(transport, floodAddress);
          const peers: Array<Awaited<ReturnType<typeof rawConnect>>> = [];
          for (let i = 0; i < 300; i++) peers.push(await rawConnect(floodAddress));
          await settle(
            () => peers.filter((p) => p.socket.destroyed).length,
            (n) => n >= 300 - 49,
            'the connections over the limit to close',
          );
          const s = await flood.ask<Stats>({ cmd: 'stats' });
          console.log(
            `connection floods: 300 connections against maxConnections 50 → ${peers.filter((p) => p.socket.destroyed).length} closed at once, ${s.connections} served, ${s.errorCount} onError reports`,
          );
          expect(s.connections).toBe(50);
          expect(s.errorCount).toBeLessThanOrEqual(2);
          expect(await client.request('echo', ['up'])).toEqual(['up']);
          for (const peer of peers) peer.socket.destroy();
          await client.close();
        } finally {
          await flood.kill();
        }
      },
      ATTACK_MS,
    );
  },
);
