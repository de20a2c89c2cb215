// Bytes: bulk one-way throughput (≥ 512 MiB a round), raw node:net vs the
// localwire Unix-socket transport, and the same over TCP on loopback (raw
// net vs tcpTransport) and over mutual TLS 1.3 (raw tls vs tlsTransport):
// `run`'s `transport` (lib/transports.mjs). Both of a pair hand out the same
// kind of socket, so one server
// child serves both and one client child sends to each in turn, a fresh
// connection each time (sharedGenerations): the rate of a process pair
// varies by tens of percent from one pair to the next, and sharing the
// processes takes that out of the comparison.
import { bytesImpls } from '../impls/index.mjs';
import { sendBulk } from '../lib/bulk.mjs';
import { sharedGenerations } from '../lib/pairs.mjs';
import { compare, joinComparisons } from '../lib/rows.mjs';
import { median } from '../lib/stats.mjs';
import { prepare, TRANSPORTS } from '../lib/transports.mjs';

const MiB = 1024 * 1024;

export const client = {
  /** @param {{ params: { paths: Record<string, string>, certificates?: string } }} args */
  async setup({ params }) {
    return { paths: params.paths, certificates: params.certificates };
  },
  /**
   * Sends `bytes` on a new connection to each server in turn; MiB/s each.
   * The connect (for TLS, the handshake) is not timed.
   * @param {{ paths: Record<string, string>, certificates?: string }} state
   * @param {{ bytes: number, chunk: number, first?: number }} params
   */
  async round({ paths, certificates }, { bytes, chunk, first = 0 }) {
    const impls = Object.keys(paths);
    /** @type {Record<string, number>} */
    const rates = {};
    for (let k = 0; k < impls.length; k++) {
      const impl = impls[(first + k) % impls.length];
      const connection = await bytesImpls[impl].connect(paths[impl], { certificates });
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
 * @param {import('../lib/transports.mjs').ByteTransport} [transport] default: the Unix socket
 * @returns {Promise<{ figures: any, rows: import('../lib/rows.mjs').Row[] } | { skipped: string }>}
 */
export async function run(ctx, config, transport = TRANSPORTS.unix) {
  const needs = prepare(ctx, transport);
  if ('skipped' in needs) return needs;
  const results = await sharedGenerations(ctx, {
    scenario: transport === TRANSPORTS.unix ? 'throughput' : `${transport.name}-throughput`,
    module: 'throughput',
    impls: [transport.raw, transport.localwire],
    certificates: needs.certificates,
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
  const raw = figures[transport.raw].mibPerSecond;
  const lw = figures[transport.localwire].mibPerSecond;
  return {
    figures: { ...figures, bytesPerRound: config.bytes, writeSize: config.chunk },
    rows: [
      {
        section: transport.section,
        metric: `bulk throughput, one way (${config.bytes / MiB} MiB, median)`,
        unit: 'MiB/s',
        values: { [transport.raw]: raw, [transport.localwire]: lw },
        ...joinComparisons([compare(lw, raw, 'raw', { atLeast: 0.97 })]),
      },
    ],
  };
}
