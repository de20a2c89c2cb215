// Bytes: bulk one-way throughput (≥ 512 MiB a round), raw node:net vs the
// localwire Unix-socket transport. A fresh connection each round, and fresh
// processes each generation (one round per generation in a full run): the
// rate of a process pair varies by tens of percent from one pair to the next.
import { bytesImpls } from '../impls/index.mjs';
import { sendBulk } from '../lib/bulk.mjs';
import { interleaveFresh } from '../lib/pairs.mjs';
import { compare, joinComparisons } from '../lib/rows.mjs';
import { median } from '../lib/stats.mjs';

const IMPLS = ['raw-net', 'localwire'];
const MiB = 1024 * 1024;

export const client = {
  /** @param {{ impl: string, path: string }} args */
  async setup({ impl, path }) {
    return { impl, path };
  },
  /**
   * Sends `bytes` on a new connection; MiB/s.
   * @param {{ impl: string, path: string }} state
   * @param {{ bytes: number, chunk: number }} params
   */
  async round({ impl, path }, { bytes, chunk }) {
    const connection = await bytesImpls[impl].connect(path);
    try {
      const ms = await sendBulk(connection, bytes, chunk);
      return bytes / MiB / (ms / 1000);
    } finally {
      connection.destroy();
    }
  },
};

/**
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ bytes: number, chunk: number, generations: number, rounds: number, warmups: number, warmupBytes: number }} config
 */
export async function run(ctx, config) {
  const results = await interleaveFresh(
    ctx,
    { scenario: 'throughput', impls: IMPLS, mode: 'bulk' },
    {
      fn: 'round',
      generations: config.generations,
      rounds: config.rounds,
      warmups: config.warmups,
      params: { bytes: config.bytes, chunk: config.chunk },
      warmupParams: { bytes: config.warmupBytes, chunk: config.chunk },
    },
  );
  /** @type {Record<string, { mibPerSecond: number, rounds: number[] }>} */
  const figures = {};
  for (const [impl, rates] of results)
    figures[impl] = { mibPerSecond: median(rates), rounds: rates };
  const raw = figures['raw-net'].mibPerSecond;
  const lw = figures.localwire.mibPerSecond;
  return {
    figures: { ...figures, bytesPerRound: config.bytes, writeSize: config.chunk },
    rows: [
      {
        section: 'bytes',
        metric: `bulk throughput, one way (${config.bytes / MiB} MiB, median)`,
        unit: 'MiB/s',
        values: { 'raw-net': raw, localwire: lw },
        ...joinComparisons([compare(lw, raw, 'raw', { atLeast: 0.97 })]),
      },
    ],
  };
}
