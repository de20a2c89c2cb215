// Bytes: echo round-trip latency of a small message, raw node:net vs the
// localwire Unix-socket transport, and the same over TCP on loopback (raw
// net vs tcpTransport) and over mutual TLS 1.3 (raw tls vs tlsTransport):
// `run`'s `transport` (lib/transports.mjs). Both connections of a pair are
// the same kind of socket, so one server child serves both and one client
// child holds both and
// alternates between them round trip by round trip (sharedGenerations):
// that cancels drift at the finest grain, and differences between
// processes altogether. The target is tight (5 %), and the two data paths
// are meant to be identical.
import { bytesImpls } from '../impls/index.mjs';
import { sharedGenerations } from '../lib/pairs.mjs';
import { compare, joinComparisons } from '../lib/rows.mjs';
import { percentile, pool } from '../lib/stats.mjs';
import { prepare, TRANSPORTS } from '../lib/transports.mjs';

/** @typedef {{ impls: string[], connections: import('node:stream').Duplex[] }} State */

/**
 * One round trip of `message` on `connection`; µs.
 * @param {import('node:stream').Duplex} connection
 * @param {Buffer} message
 * @returns {Promise<number>}
 */
function roundTrip(connection, message) {
  return new Promise((resolve, reject) => {
    let received = 0;
    const onData = (/** @type {Buffer} */ chunk) => {
      received += chunk.length;
      if (received < message.length) return;
      const us = (performance.now() - start) * 1000;
      connection.off('data', onData);
      connection.off('error', reject);
      resolve(us);
    };
    connection.on('data', onData);
    connection.once('error', reject);
    const start = performance.now();
    connection.write(message);
  });
}

export const client = {
  /**
   * @param {{ params: { paths: Record<string, string>, certificates?: string } }} args
   * @returns {Promise<State>}
   */
  async setup({ params }) {
    const { paths, certificates } = params;
    const impls = Object.keys(paths);
    const connections = [];
    for (const impl of impls) {
      connections.push(await bytesImpls[impl].connect(paths[impl], { certificates }));
    }
    return { impls, connections };
  },
  /**
   * `count` round trips of `size` bytes on each connection, alternating
   * between them (starting with a different one each time); µs each, by
   * implementation.
   * @param {State} state
   * @param {{ count: number, size: number, first?: number }} params
   */
  async round({ impls, connections }, { count, size, first = 0 }) {
    const message = Buffer.alloc(size, 0x61);
    const samples = impls.map(() => new Float64Array(count));
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < impls.length; k++) {
        const which = (first + i + k) % impls.length;
        samples[which][i] = await roundTrip(connections[which], message);
      }
    }
    return Object.fromEntries(impls.map((impl, k) => [impl, samples[k]]));
  },
  /** @param {State} state */
  async teardown({ connections }) {
    for (const connection of connections) connection.destroy();
  },
};

/**
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ count: number, size: number, generations: number, rounds: number, warmups: number }} config
 * @param {import('../lib/transports.mjs').ByteTransport} [transport] default: the Unix socket
 * @returns {Promise<{ figures: any, rows: import('../lib/rows.mjs').Row[] } | { skipped: string }>}
 */
export async function run(ctx, config, transport = TRANSPORTS.unix) {
  const needs = prepare(ctx, transport);
  if ('skipped' in needs) return needs;
  const impls = [transport.raw, transport.localwire];
  /** @type {Record<string, Float64Array[]>} */
  const rounds = await sharedGenerations(ctx, {
    scenario: transport === TRANSPORTS.unix ? 'echo' : `${transport.name}-echo`,
    module: 'echo',
    impls,
    certificates: needs.certificates,
    mode: 'echo',
    generations: config.generations,
    rounds: config.rounds,
    warmups: config.warmups,
    params: { count: config.count, size: config.size },
  });
  /** @type {Record<string, { p50: number, p99: number, roundP50s: number[] }>} */
  const figures = {};
  for (const impl of impls) {
    const samples = pool(rounds[impl]);
    figures[impl] = {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      roundP50s: rounds[impl].map((r) => percentile(r, 50)),
    };
  }
  const raw = figures[transport.raw];
  const lw = figures[transport.localwire];
  const p50 = joinComparisons([compare(lw.p50, raw.p50, 'raw', { atMost: 1.05 })]);
  const p99 = joinComparisons([compare(lw.p99, raw.p99, 'raw', { atMost: 1.05 })]);
  return {
    figures: {
      ...figures,
      messageBytes: config.size,
      roundTrips: config.count * config.rounds * config.generations,
    },
    rows: [
      {
        section: transport.section,
        metric: `echo round trip p50 (${config.size} B)`,
        unit: 'µs',
        values: { [transport.raw]: raw.p50, [transport.localwire]: lw.p50 },
        ...p50,
      },
      {
        section: transport.section,
        metric: `echo round trip p99 (${config.size} B)`,
        unit: 'µs',
        values: { [transport.raw]: raw.p99, [transport.localwire]: lw.p99 },
        ...p99,
      },
    ],
  };
}
