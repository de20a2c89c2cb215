// JSON-RPC over a Unix socket: the hand-written floor, json-rpc-2.0,
// vscode-jsonrpc, jayson and localwire, side by side. Client steps (run in each
// implementation's client child) and the scenarios that drive them.
import { rpcImpls } from '../impls/index.mjs';
import { interleaveFresh, startPairs } from '../lib/pairs.mjs';
import { expectThree, pipelinedCalls } from '../lib/pipelined.mjs';
import { compare, joinComparisons } from '../lib/rows.mjs';
import { median, percentile, pool } from '../lib/stats.mjs';

const IMPLS = ['floor', 'jsonrpc2', 'vscode', 'jayson', 'localwire'];
/**
 * jayson's stream parser scans its whole buffer from the start on each
 * chunk (quadratic in the message size: a 64 MiB message would take hours),
 * so it sits out the large-params rows.
 */
const LARGE_IMPLS = IMPLS.filter((impl) => impl !== 'jayson');
const MiB = 1024 * 1024;

/**
 * @typedef {object} ClientState
 * @property {string} impl
 * @property {string} path
 * @property {boolean} large
 * @property {import('../impls/types.mjs').RpcClient | undefined} rpc
 */

/** @type {Map<number, string>} */
const payloads = new Map();

/**
 * A string of `bytes` ASCII characters, not all alike.
 * @param {number} bytes
 */
function payload(bytes) {
  let text = payloads.get(bytes);
  if (text === undefined) {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    let block = '';
    for (let i = 0; i < 4096; i++) block += alphabet[(i * 7919) % alphabet.length];
    text = block.repeat(Math.ceil(bytes / block.length)).slice(0, bytes);
    payloads.set(bytes, text);
  }
  return text;
}

export const client = {
  /**
   * Connects (unless `connect: false`) and checks one call.
   * @param {{ impl: string, path: string, params: { large?: boolean, connect?: boolean } }} args
   * @returns {Promise<ClientState>}
   */
  async setup({ impl, path, params }) {
    const large = params.large ?? false;
    let rpc;
    if (params.connect !== false) {
      rpc = await rpcImpls[impl].connect(path, { large });
      expectThree(await rpc.call('add', [1, 2]));
    }
    return { impl, path, large, rpc };
  },

  /** @param {ClientState} state */
  async teardown(state) {
    await state.rpc?.close();
  },

  /**
   * `count` tiny calls, one at a time; µs each.
   * @param {ClientState} state
   * @param {{ count: number }} params
   */
  async sequential(state, { count }) {
    const rpc = /** @type {import('../impls/types.mjs').RpcClient} */ (state.rpc);
    const samples = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      const result = await rpc.call('add', [1, 2]);
      samples[i] = (performance.now() - start) * 1000;
      if (result !== 3) expectThree(result);
    }
    return samples;
  },

  /**
   * `count` tiny calls with `window` in flight; calls/s.
   * @param {ClientState} state
   * @param {{ count: number, window: number }} params
   */
  pipelined(state, params) {
    return pipelinedCalls(
      /** @type {import('../impls/types.mjs').RpcClient} */ (state.rpc),
      params,
    );
  },

  /**
   * `count` batches of `size` tiny calls, one batch at a time; µs per batch.
   * @param {ClientState} state
   * @param {{ count: number, size: number }} params
   */
  async batch(state, { count, size }) {
    const rpc = /** @type {import('../impls/types.mjs').RpcClient} */ (state.rpc);
    if (!rpc.batch) return null;
    const calls = Array.from({ length: size }, () => ({ method: 'add', params: [1, 2] }));
    const samples = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      const results = await rpc.batch(calls);
      samples[i] = (performance.now() - start) * 1000;
      if (results.length !== size || results[0] !== 3) {
        throw new Error(`a batch of ${size} answered ${results.length} results`);
      }
    }
    return samples;
  },

  /**
   * One call whose params (and so result) hold a `bytes`-long string; ms.
   * @param {ClientState} state
   * @param {{ bytes: number }} params
   */
  async large(state, { bytes }) {
    const rpc = /** @type {import('../impls/types.mjs').RpcClient} */ (state.rpc);
    const text = payload(bytes);
    // Start from a clean heap: the last round's garbage is not this one's cost.
    /** @type {(() => void) | undefined} */ (globalThis.gc)?.();
    const start = performance.now();
    const result = await rpc.call('echo', [text]);
    const ms = performance.now() - start;
    if (typeof result !== 'string' || result.length !== bytes) {
      throw new Error(`echo of ${bytes} characters came back wrong`);
    }
    return ms;
  },

  /**
   * `count` times, one after another: connect, one call, close; per second.
   * @param {ClientState} state
   * @param {{ count: number }} params
   */
  async connect(state, { count }) {
    const impl = rpcImpls[state.impl];
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const rpc = await impl.connect(state.path, {});
      const result = await rpc.call('add', [1, 2]);
      await rpc.close();
      if (result !== 3) expectThree(result);
    }
    return count / ((performance.now() - start) / 1000);
  },
};

/**
 * @param {Record<string, number | null>} values
 * @param {{ atLeast?: number, atMost?: number }} [target] against the floor
 */
function versusFloor(values, target) {
  return joinComparisons([compare(values.localwire, values.floor, 'floor', target)]);
}

/**
 * Sequential round trips of a tiny call.
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ count: number, generations: number, rounds: number, warmups: number }} config
 */
export async function runSequential(ctx, config) {
  const results = await interleaveFresh(
    ctx,
    { scenario: 'rpc-sequential', module: 'rpc', impls: IMPLS, mode: 'rpc' },
    {
      fn: 'sequential',
      generations: config.generations,
      rounds: config.rounds,
      warmups: config.warmups,
      params: { count: config.count },
    },
  );
  /** @type {Record<string, { p50: number, p99: number, roundP50s: number[] }>} */
  const figures = {};
  for (const [impl, rounds] of results) {
    const samples = pool(rounds);
    figures[impl] = {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      roundP50s: rounds.map((r) => percentile(r, 50)),
    };
  }
  /** @param {'p50' | 'p99'} key */
  const values = (key) => Object.fromEntries(IMPLS.map((impl) => [impl, figures[impl][key]]));
  return {
    figures: { ...figures, calls: config.count * config.rounds },
    rows: [
      {
        section: 'rpc',
        metric: 'sequential tiny call p50',
        unit: 'µs',
        values: values('p50'),
        ...versusFloor(values('p50'), { atMost: 1.0 }),
      },
      {
        section: 'rpc',
        metric: 'sequential tiny call p99',
        unit: 'µs',
        values: values('p99'),
        ...versusFloor(values('p99'), { atMost: 1.0 }),
      },
    ],
  };
}

/**
 * Pipelined tiny calls, `window` in flight, by each of `impls` in the same
 * rounds: each one's median calls/s and its rounds (rpc-tracing runs it too),
 * and the median of each generation's first warm-up round (`firstValues`).
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {string} scenario
 * @param {readonly string[]} impls
 * @param {{ count: number, window: number, generations: number, rounds: number, warmups: number }} config
 */
export async function measurePipelined(ctx, scenario, impls, config) {
  /** @type {Map<string, number[]>} */
  const first = new Map(impls.map((impl) => [impl, []]));
  const results = await interleaveFresh(
    ctx,
    { scenario, module: 'rpc', impls, mode: 'rpc' },
    {
      fn: 'pipelined',
      generations: config.generations,
      rounds: config.rounds,
      warmups: config.warmups,
      params: { count: config.count, window: config.window },
      first,
    },
  );
  /** @type {Record<string, { callsPerSecond: number, rounds: number[], firstRounds: number[] }>} */
  const figures = {};
  for (const [impl, rates] of results) {
    const firstRounds = first.get(impl) ?? [];
    figures[impl] = { callsPerSecond: median(rates), rounds: rates, firstRounds };
  }
  const values = Object.fromEntries(impls.map((impl) => [impl, figures[impl].callsPerSecond]));
  const firstValues = Object.fromEntries(
    impls.map((impl) => [impl, median(figures[impl].firstRounds)]),
  );
  return { figures, values, firstValues };
}

/**
 * Pipelined tiny calls, `window` in flight.
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ count: number, window: number, generations: number, rounds: number, warmups: number }} config
 */
export async function runPipelined(ctx, config) {
  const { figures, values, firstValues } = await measurePipelined(
    ctx,
    'rpc-pipelined',
    IMPLS,
    config,
  );
  return {
    figures: { ...figures, window: config.window, callsPerRound: config.count },
    rows: [
      {
        section: 'rpc',
        metric: `pipelined tiny calls, ${config.window} in flight (median)`,
        unit: 'calls/s',
        values,
        ...joinComparisons([
          compare(values.localwire, values.floor, 'floor', { atLeast: 1.5 }),
          compare(values.localwire, values.vscode, 'vscode', { atLeast: 3 }),
        ]),
      },
      {
        section: 'rpc',
        metric: `pipelined tiny calls, a fresh pair's first ${config.count.toLocaleString('en-US')} (median)`,
        unit: 'calls/s',
        values: firstValues,
        ...joinComparisons([compare(firstValues.localwire, firstValues.floor, 'floor')]),
      },
    ],
  };
}

/**
 * Batches of `size` tiny calls, one batch at a time.
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ count: number, size: number, generations: number, rounds: number, warmups: number }} config
 */
export async function runBatch(ctx, config) {
  const results = await interleaveFresh(
    ctx,
    { scenario: 'rpc-batch', module: 'rpc', impls: IMPLS, mode: 'rpc' },
    {
      fn: 'batch',
      generations: config.generations,
      rounds: config.rounds,
      warmups: config.warmups,
      params: { count: config.count, size: config.size },
    },
  );
  /** @type {Record<string, { p50: number, p99: number, callsPerSecond: number } | null>} */
  const figures = {};
  for (const [impl, rounds] of results) {
    if (rounds.some((r) => r === null)) {
      figures[impl] = null;
      continue;
    }
    const samples = pool(rounds);
    const p50 = percentile(samples, 50);
    const total = samples.reduce((a, b) => a + b, 0);
    figures[impl] = {
      p50,
      p99: percentile(samples, 99),
      callsPerSecond: (samples.length * config.size) / (total / 1e6),
    };
  }
  /** @param {'p50' | 'callsPerSecond'} key */
  const values = (key) =>
    Object.fromEntries(IMPLS.map((impl) => [impl, figures[impl]?.[key] ?? 'n/a']));
  const numbers = (/** @type {Record<string, any>} */ v) =>
    Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'number' ? x : null]));
  return {
    figures: { ...figures, batchSize: config.size, batches: config.count * config.rounds },
    rows: [
      {
        section: 'rpc',
        metric: `batch of ${config.size}, round trip p50`,
        unit: 'µs',
        values: values('p50'),
        ...versusFloor(numbers(values('p50')), { atMost: 1.0 }),
      },
      {
        section: 'rpc',
        metric: `batch of ${config.size}, throughput`,
        unit: 'calls/s',
        values: values('callsPerSecond'),
        ...versusFloor(numbers(values('callsPerSecond')), { atLeast: 1.2 }),
      },
    ],
  };
}

/**
 * One call with large params, echoed back, at several sizes.
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ sizesMiB: number[], generations: number, rounds: Record<string, number>, warmups: number }} config
 */
export async function runLarge(ctx, config) {
  /** @type {Record<string, Record<string, number>>} */
  const ms = Object.fromEntries(LARGE_IMPLS.map((impl) => [impl, {}]));
  /** @type {Record<string, Record<string, number[]>>} */
  const rounds = Object.fromEntries(
    LARGE_IMPLS.map((impl) => [
      impl,
      Object.fromEntries(config.sizesMiB.map((size) => [size, []])),
    ]),
  );
  // Fresh processes each generation, as interleaveFresh does. Within one,
  // each size in turn, smallest first, with its own warm-up: each size is
  // timed in the steady state of calls of that size. (Sizes interleaved
  // instead would time a 1 MiB call just after 64 MiB ones, which makes it
  // about twice as slow in every implementation: caches, page reuse.)
  for (let g = 0; g < config.generations; g++) {
    const pairs = await startPairs(ctx, {
      scenario: 'rpc-large',
      module: 'rpc',
      impls: LARGE_IMPLS,
      mode: 'rpc',
      large: true,
      profile: g === 0,
    });
    /**
     * One measured call, both processes collected first (the previous
     * round's garbage, up to hundreds of MiB, is not this round's cost).
     * @param {string} impl
     * @param {number} size MiB
     */
    const large = async (impl, size) => {
      await pairs.serverGc(impl);
      return pairs.step(impl, 'large', { bytes: size * MiB });
    };
    try {
      for (const size of config.sizesMiB) {
        for (let w = 0; w < config.warmups; w++) {
          for (const impl of LARGE_IMPLS) await large(impl, size);
        }
        for (let r = 0; r < (config.rounds[size] ?? 1); r++) {
          for (let k = 0; k < LARGE_IMPLS.length; k++) {
            const impl = LARGE_IMPLS[(g + r + k) % LARGE_IMPLS.length];
            rounds[impl][size].push(await large(impl, size));
          }
        }
      }
    } finally {
      await pairs.stop();
    }
  }
  for (const impl of LARGE_IMPLS) {
    for (const size of config.sizesMiB) ms[impl][size] = median(rounds[impl][size]);
  }
  const first = config.sizesMiB[0];
  const last = config.sizesMiB[config.sizesMiB.length - 1];
  const mid = config.sizesMiB.includes(16) ? 16 : last;
  /** @param {number} size */
  const at = (size) => Object.fromEntries(LARGE_IMPLS.map((impl) => [impl, ms[impl][size]]));
  const growth = Object.fromEntries(
    LARGE_IMPLS.map((impl) => [impl, ms[impl][last] / ms[impl][first]]),
  );
  const prev = config.sizesMiB[config.sizesMiB.length - 2];
  const tailGrowth = Object.fromEntries(
    LARGE_IMPLS.map((impl) => [impl, ms[impl][last] / ms[impl][prev]]),
  );
  return {
    figures: { msBySizeMiB: ms, rounds, growth, tailGrowth, sizesMiB: config.sizesMiB },
    rows: [
      ...[...new Set([mid, first, last])].map((size) => ({
        section: 'rpc',
        metric: `${size} MiB params round trip (echoed, median)`,
        unit: 'ms',
        values: at(size),
        ...versusFloor(at(size)),
      })),
      {
        section: 'rpc',
        metric: `time growth ${first} → ${last} MiB (linear ≈ ${last / first})`,
        unit: '×',
        values: growth,
        // Held to the floor's own growth, measured the same way in the same
        // run: how much a 64 MiB message costs beyond linear depends on the
        // machine's caches, and the floor misses an absolute bound on some.
        ...joinComparisons([compare(growth.localwire, growth.floor, 'floor', { atMost: 1.0 })]),
      },
      ...(config.sizesMiB.length > 2
        ? [
            {
              section: 'rpc',
              metric: `time growth ${prev} → ${last} MiB (linear ≈ ${last / prev})`,
              unit: '×',
              values: tailGrowth,
              ...joinComparisons([compare(tailGrowth.localwire, tailGrowth.floor, 'floor')]),
            },
          ]
        : []),
    ],
  };
}

/**
 * Connection setup: connect + one call + close, one after another.
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ count: number, generations: number, rounds: number, warmups: number }} config
 */
export async function runConnect(ctx, config) {
  const results = await interleaveFresh(
    ctx,
    {
      scenario: 'rpc-connect',
      module: 'rpc',
      impls: IMPLS,
      mode: 'rpc',
      params: { connect: false },
    },
    {
      fn: 'connect',
      generations: config.generations,
      rounds: config.rounds,
      warmups: config.warmups,
      params: { count: config.count },
    },
  );
  /** @type {Record<string, { perSecond: number, rounds: number[] }>} */
  const figures = {};
  for (const [impl, rates] of results) figures[impl] = { perSecond: median(rates), rounds: rates };
  const values = Object.fromEntries(IMPLS.map((impl) => [impl, figures[impl].perSecond]));
  return {
    figures: { ...figures, connectionsPerRound: config.count },
    rows: [
      {
        section: 'rpc',
        metric: 'connect + 1 call + close (median)',
        unit: 'per s',
        values,
        ...versusFloor(values, { atLeast: 1.0 }),
      },
    ],
  };
}
