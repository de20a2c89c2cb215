// Named pipes under Wine: bulk one-way throughput of @localwire/named-pipe
// against Node's own net pipe server and client, with the official Windows
// node.exe. Two server processes (one per implementation) and one client
// process that alternates between them; fresh processes each generation.
import { join } from 'node:path';
import { compare, joinComparisons } from '../lib/rows.mjs';
import { median } from '../lib/stats.mjs';
import { findWine, startWineserver, WineNode } from '../lib/wine.mjs';

const MiB = 1024 * 1024;

/**
 * @param {import('../lib/pairs.mjs').Context & { root: string }} ctx
 * @param {{ bytes: number, warmupBytes: number, chunk: number, generations: number, rounds: number }} config
 * @returns {Promise<{ skipped: string } | { figures: any, rows: import('../lib/rows.mjs').Row[] }>}
 */
export async function run(ctx, config) {
  const found = findWine(ctx.root);
  if ('reason' in found) return { skipped: found.reason };
  const { wine } = found;
  if (ctx.cpus) startWineserver(wine);
  /** @type {Record<string, number[]>} */
  const results = { localwire: [], node: [] };
  let nodeVersion = '';
  // Fresh node.exe processes each generation (see interleaveFresh in lib/pairs.mjs).
  for (let g = 0; g < config.generations; g++) {
    const tag = `localwire-bench-${process.pid}-${Date.now()}-${g}`;
    const names = { localwire: `\\\\.\\pipe\\${tag}-lw`, node: `\\\\.\\pipe\\${tag}-node` };
    /** @type {WineNode[]} */
    const servers = [];
    try {
      for (const impl of /** @type {const} */ (['localwire', 'node'])) {
        const server = new WineNode(
          wine,
          ['bench/wine/pipe-server.mjs', '--impl', impl, '--name', names[impl]],
          join(ctx.dir, `pipe-server-${impl}-${g}.log`),
          ctx.cpus?.server,
        );
        servers.push(server);
        await server.waitForLine('READY', 120_000);
      }
      const client = new WineNode(
        wine,
        [
          'bench/wine/pipe-client.mjs',
          '--localwire',
          names.localwire,
          '--node',
          names.node,
          '--bytes',
          String(config.bytes),
          '--warmup-bytes',
          String(config.warmupBytes),
          '--chunk',
          String(config.chunk),
          '--rounds',
          String(config.rounds),
          '--first',
          g % 2 === 0 ? 'localwire' : 'node',
        ],
        join(ctx.dir, `pipe-client-${g}.log`),
        ctx.cpus?.client,
      );
      let line;
      try {
        line = await client.waitForLine('RESULT', 600_000);
      } finally {
        await client.kill();
      }
      const parsed = JSON.parse(line.slice('RESULT'.length));
      results.localwire.push(...parsed.results.localwire);
      results.node.push(...parsed.results.node);
      nodeVersion = parsed.node;
    } finally {
      for (const server of servers) await server.kill();
    }
  }
  const lw = median(results.localwire);
  const net = median(results.node);
  return {
    figures: {
      localwire: { mibPerSecond: lw, rounds: results.localwire },
      node: { mibPerSecond: net, rounds: results.node },
      bytesPerRound: config.bytes,
      writeSize: config.chunk,
      wine: wine.version,
      nodeExe: nodeVersion,
    },
    rows: [
      {
        section: 'pipe',
        metric: `bulk throughput, one way (${config.bytes / MiB} MiB, median)`,
        unit: 'MiB/s',
        values: { node: net, localwire: lw },
        ...joinComparisons([compare(lw, net, 'node', { atLeast: 0.9 })]),
      },
    ],
  };
}
