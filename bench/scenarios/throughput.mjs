// Bytes: bulk one-way throughput (≥ 512 MiB a round), raw node:net vs the
// localwire Unix-socket transport. Both hand out a net.Socket, so one server
// child serves both and one client child sends to each in turn, a fresh
// connection each time (sharedGenerations): the rate of a process pair
// varies by tens of percent from one pair to the next, and sharing the
// processes takes that out of the comparison.
import { bytesImpls } from '../impls/index.mjs';
import { sendBulk } from '../lib/bulk.mjs';
import { sharedGenerations } from '../lib/pairs.mjs';
import { compare, joinComparisons } from '../lib/rows.mjs';
import { median } from '../lib/stats.mjs';

const IMPLS = ['raw-net', 'localwire'];
const MiB = 1024 * 1024;

export const client = {
  /** @param {{ params: { paths: Record<string, string> } }} args */
  async setup({ params }) {
    return { paths: params.paths };
  },
  /**
   * Sends `bytes` on a new connection to each server in turn; MiB/s each.
   * @param {{ paths: Record<string, string> }} state
   * @param {{ bytes: number, chunk: number, first?: number }} params
   */
  async round({ paths }, { bytes, chunk, first = 0 }) {
    const impls = Object.keys(paths);
    /** @type {Record<string, number>} */
    const rates = {};
    for (let k = 0; k < impls.length; k++) {
      const impl = impls[(first + k) % impls.length];
      const connection = await bytesImpls[impl].connect(paths[impl]);
      try {
        const ms = await sendBulk(connection, bytes, chunk);
        rates[impl] = bytes / MiB / (ms / 1000);
      } finally {
        connection.destroy();
      }
    }
    return rates;
  },
};

/**
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ bytes: number, chunk: number, generations: number, rounds: number, warmups: number, warmupBytes: number }} config
 */
export async function run(ctx, config) {
  const results = await sharedGenerations(ctx, {
    scenario: 'throughput',
    impls: IMPLS,
    mode: 'bulk',
    generations: config.generations,
    rounds: config.rounds,
    warmups: config.warmups,
    params: { bytes: config.bytes, chunk: config.chunk },
    warmupParams: { bytes: config.warmupBytes, chunk: config.chunk },
  });
  /** @type {Record<string, { mibPerSecond: number, rounds: number[] }>} */
  const figures = {};
  for (const [impl, rates] of Object.entries(results))
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
