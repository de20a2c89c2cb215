// JSON-RPC with many connections at once: N connections (5,000 in a full
// run) opened and held (each making one call as it opens), then each making
// more calls, all at the same time. Every call must succeed; the server
// child's RSS growth divided by the connections held is its memory per
// connection.
import { rpcImpls } from '../impls/index.mjs';
import { startPairs } from '../lib/pairs.mjs';
import { compare, joinComparisons } from '../lib/rows.mjs';

const IMPLS = ['floor', 'jsonrpc2', 'vscode', 'localwire'];

/**
 * @typedef {object} State
 * @property {string} impl
 * @property {string} path
 * @property {import('../impls/types.mjs').RpcClient[]} open
 */

export const client = {
  /**
   * @param {{ impl: string, path: string }} args
   * @returns {Promise<State>}
   */
  async setup({ impl, path }) {
    return { impl, path, open: [] };
  },

  /**
   * Opens `count` connections, `concurrency` at a time, and keeps them. Each
   * counts as open once its first call is answered, so the server has
   * accepted it: at most `concurrency` wait in the listen backlog, which
   * raw `net.connect` (no retry on a full backlog) needs.
   * @param {State} state
   * @param {{ count: number, concurrency: number }} params
   */
  async open(state, { count, concurrency }) {
    const impl = rpcImpls[state.impl];
    let started = 0;
    let failed = 0;
    /** @type {string | undefined} */
    let firstError;
    const start = performance.now();
    const worker = async () => {
      while (started < count) {
        started++;
        try {
          const rpc = await impl.connect(state.path, {});
          state.open.push(rpc);
          if ((await rpc.call('add', [1, 2])) !== 3) throw new Error('add([1, 2]) answered wrong');
        } catch (error) {
          failed++;
          firstError ??= String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return { opened: state.open.length, failed, firstError, ms: performance.now() - start };
  },

  /**
   * Every open connection makes `calls` tiny calls, one after another; all
   * connections at once.
   * @param {State} state
   * @param {{ calls: number }} params
   */
  async calls(state, { calls }) {
    let ok = 0;
    let failed = 0;
    /** @type {string | undefined} */
    let firstError;
    const start = performance.now();
    await Promise.all(
      state.open.map(async (rpc) => {
        for (let i = 0; i < calls; i++) {
          try {
            if ((await rpc.call('add', [1, 2])) === 3) ok++;
            else failed++;
          } catch (error) {
            failed++;
            firstError ??= String(error);
          }
        }
      }),
    );
    const ms = performance.now() - start;
    return { ok, failed, firstError, ms, callsPerSecond: ok / (ms / 1000) };
  },

  /** The client's heap in use, after a full GC (the client child runs with --expose-gc). */
  async heap() {
    globalThis.gc?.();
    return process.memoryUsage().heapUsed;
  },

  /**
   * Closes every open connection.
   * @param {State} state
   */
  async close(state) {
    const start = performance.now();
    await Promise.allSettled(state.open.map((rpc) => rpc.close()));
    state.open = [];
    return { ms: performance.now() - start };
  },

  /** @param {State} state */
  async teardown(state) {
    await client.close(state);
  },
};

/**
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ connections: number, calls: number, concurrency: number, warmupConnections: number }} config
 */
export async function run(ctx, config) {
  const { connections, calls, concurrency } = config;
  const pairs = await startPairs(ctx, {
    scenario: 'rpc-concurrent',
    impls: IMPLS,
    mode: 'rpc',
    fds: connections + 1024,
  });
  try {
    /** @type {Record<string, any>} */
    const figures = {};
    for (const impl of IMPLS) {
      // Warm up: a smaller crowd, gone again before the baseline is taken.
      await pairs.step(impl, 'open', { count: config.warmupConnections, concurrency });
      await pairs.step(impl, 'calls', { calls });
      await pairs.step(impl, 'close');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = await pairs.serverMemory(impl);
      const clientHeapBefore = await pairs.step(impl, 'heap');
      const opened = await pairs.step(impl, 'open', { count: connections, concurrency });
      const called = await pairs.step(impl, 'calls', { calls });
      const after = await pairs.serverMemory(impl);
      const clientHeapAfter = await pairs.step(impl, 'heap');
      await pairs.step(impl, 'close');
      const allSucceeded =
        opened.opened === connections && opened.failed === 0 && called.ok === connections * calls;
      const held = Math.max(1, opened.opened);
      figures[impl] = {
        opened: opened.opened,
        connectFailures: opened.failed,
        openMs: opened.ms,
        callsOk: called.ok,
        callFailures: called.failed,
        firstError: opened.firstError ?? called.firstError,
        callsMs: called.ms,
        callsPerSecond: called.callsPerSecond,
        allSucceeded,
        serverRssBefore: before.rss,
        serverRssAfter: after.rss,
        serverHeapBefore: before.heapUsed,
        serverHeapAfter: after.heapUsed,
        serverYoungBefore: before.young,
        serverYoungAfter: after.young,
        rssPerConnectionKiB: (after.rss - before.rss) / held / 1024,
        heapPerConnectionKiB: (after.heapUsed - before.heapUsed) / held / 1024,
        clientHeapBefore,
        clientHeapAfter,
        clientHeapPerConnectionKiB: (clientHeapAfter - clientHeapBefore) / held / 1024,
      };
      const MiB = 1024 * 1024;
      ctx.log(
        `  ${impl}: ${called.ok}/${connections * calls} calls ok, ${opened.failed} connect failures; server young generation ${(before.young / MiB).toFixed(1)} → ${(after.young / MiB).toFixed(1)} MiB of the RSS`,
      );
    }
    /** @param {string} key */
    const values = (key) => Object.fromEntries(IMPLS.map((impl) => [impl, figures[impl][key]]));
    /**
     * A memory row, per connection held: localwire against the floor.
     * @param {string} what
     * @param {string} key
     * @param {{ atMost?: number }} [target]
     */
    const perConnection = (what, key, target) => ({
      section: 'rpc',
      metric: `${connections.toLocaleString('en-US')} connections: ${what} per connection`,
      unit: 'KiB',
      values: values(key),
      ...joinComparisons([compare(figures.localwire[key], figures.floor[key], 'floor', target)]),
    });
    const succeeded = Object.fromEntries(
      IMPLS.map((impl) => [
        impl,
        `${figures[impl].callsOk.toLocaleString('en-US')}/${(connections * calls).toLocaleString('en-US')}`,
      ]),
    );
    return {
      figures: {
        ...figures,
        connections,
        callsPerConnection: calls,
        connectConcurrency: concurrency,
      },
      rows: [
        {
          section: 'rpc',
          metric: `${connections.toLocaleString('en-US')} connections × ${calls} calls: calls ok`,
          unit: '',
          values: succeeded,
          ratio: '',
          target: 'localwire: all',
          pass: figures.localwire.allSucceeded,
        },
        {
          section: 'rpc',
          metric: `${connections.toLocaleString('en-US')} connections: throughput`,
          unit: 'calls/s',
          values: values('callsPerSecond'),
          ...joinComparisons([
            compare(figures.localwire.callsPerSecond, figures.floor.callsPerSecond, 'floor', {
              atLeast: 1.2,
            }),
          ]),
        },
        perConnection('server RSS', 'rssPerConnectionKiB', { atMost: 1.0 }),
        perConnection('server heap', 'heapPerConnectionKiB'),
        perConnection('client heap', 'clientHeapPerConnectionKiB'),
      ],
    };
  } finally {
    await pairs.stop();
  }
}
