// Named pipes under Wine, with the official Windows node.exe: localwire
// against Node's own net pipe server and client. Two server processes (one
// per implementation) and one client process that alternates between them
// (wine/pipe-server.mjs, wine/pipe-client.mjs); fresh processes each
// generation. `run`: bulk one-way throughput of @localwire/named-pipe;
// `runRpc`: pipelined tiny JSON-RPC calls, @localwire/rpc-server over
// @localwire/named-pipe against the hand-written floor on node:net.
import { join } from 'node:path';
import { compare, joinComparisons } from '../lib/rows.mjs';
import { median } from '../lib/stats.mjs';
import { findWine, startWineserver, WineNode } from '../lib/wine.mjs';

const MiB = 1024 * 1024;
const IMPLS = /** @type {const} */ (['localwire', 'node']);

/**
 * @typedef {import('../lib/pairs.mjs').Context & { root: string }} PipeContext
 * @typedef {{ results: Record<'localwire' | 'node', number[]>, wine: string, nodeExe: string }} Measured
 */

/**
 * Runs `generations` of fresh node.exe processes in `mode` (a server per
 * implementation, one client given `clientArgs` besides the pipe names and
 * who goes first) and pools the client's figures per implementation.
 * @param {PipeContext} ctx
 * @param {'bulk' | 'rpc'} mode
 * @param {number} generations
 * @param {string[]} clientArgs
 * @returns {Promise<{ skipped: string } | Measured>}
 */
async function measure(ctx, mode, generations, clientArgs) {
  const found = findWine(ctx.root);
  if ('reason' in found) return { skipped: found.reason };
  const { wine } = found;
  if (ctx.cpus) startWineserver(wine);
  /** @type {Record<'localwire' | 'node', number[]>} */
  const results = { localwire: [], node: [] };
  let nodeVersion = '';
  // Fresh node.exe processes each generation (see interleaveFresh in lib/pairs.mjs).
  for (let g = 0; g < generations; g++) {
    const tag = `localwire-bench-${process.pid}-${Date.now()}-${g}`;
    const names = { localwire: `\\\\.\\pipe\\${tag}-lw`, node: `\\\\.\\pipe\\${tag}-node` };
    /** @type {WineNode[]} */
    const servers = [];
    try {
      for (const impl of IMPLS) {
        const server = new WineNode(
          wine,
          ['bench/wine/pipe-server.mjs', '--mode', mode, '--impl', impl, '--name', names[impl]],
          join(ctx.dir, `pipe-${mode}-server-${impl}-${g}.log`),
          ctx.cpus?.server,
        );
        servers.push(server);
        await server.waitForLine('READY', 120_000);
      }
      const client = new WineNode(
        wine,
        [
          'bench/wine/pipe-client.mjs',
          '--mode',
          mode,
          '--localwire',
          names.localwire,
          '--node',
          names.node,
          ...clientArgs,
          '--first',
          g % 2 === 0 ? 'localwire' : 'node',
        ],
        join(ctx.dir, `pipe-${mode}-client-${g}.log`),
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
  return { results, wine: wine.version, nodeExe: nodeVersion };
}

/**
 * Bulk one-way throughput.
 * @param {PipeContext} ctx
 * @param {{ bytes: number, warmupBytes: number, chunk: number, generations: number, rounds: number }} config
 * @returns {Promise<{ skipped: string } | { figures: any, rows: import('../lib/rows.mjs').Row[] }>}
 */
export async function run(ctx, config) {
  const measured = await measure(ctx, 'bulk', config.generations, [
    '--bytes',
    String(config.bytes),
    '--warmup-bytes',
    String(config.warmupBytes),
    '--chunk',
    String(config.chunk),
    '--rounds',
    String(config.rounds),
  ]);
  if ('skipped' in measured) return measured;
  const { results } = measured;
  const lw = median(results.localwire);
  const net = median(results.node);
  return {
    figures: {
      localwire: { mibPerSecond: lw, rounds: results.localwire },
      node: { mibPerSecond: net, rounds: results.node },
      bytesPerRound: config.bytes,
      writeSize: config.chunk,
      wine: measured.wine,
      nodeExe: measured.nodeExe,
    },
    rows: [
      {
        section: 'pipe',
        metric: `bulk throughput, one way (${config.bytes / MiB} MiB, median)`,
        unit: 'MiB/s',
        values: { node: net, localwire: lw },
        ...joinComparisons([compare(lw, net, 'node', { atLeast: 1.0 })]),
      },
    ],
  };
}

/**
 * Pipelined tiny calls, `window` in flight, one connection per
 * implementation for the whole generation. The `node` column is the floor
 * (impls/floor.mjs) on Node's own net pipe server and client.
 * @param {PipeContext} ctx
 * @param {{ count: number, window: number, generations: number, rounds: number, warmups: number }} config
 * @returns {Promise<{ skipped: string } | { figures: any, rows: import('../lib/rows.mjs').Row[] }>}
 */
export async function runRpc(ctx, config) {
  const measured = await measure(ctx, 'rpc', config.generations, [
    '--count',
    String(config.count),
    '--window',
    String(config.window),
    '--warmups',
    String(config.warmups),
    '--rounds',
    String(config.rounds),
  ]);
  if ('skipped' in measured) return measured;
  const { results } = measured;
  const lw = median(results.localwire);
  const floor = median(results.node);
  return {
    figures: {
      localwire: { callsPerSecond: lw, rounds: results.localwire },
      floor: { callsPerSecond: floor, rounds: results.node },
      window: config.window,
      callsPerRound: config.count,
      wine: measured.wine,
      nodeExe: measured.nodeExe,
    },
    rows: [
      {
        section: 'pipe',
        metric: `RPC pipelined tiny calls, ${config.window} in flight, vs the floor on node:net (median)`,
        unit: 'calls/s',
        values: { node: floor, localwire: lw },
        // The Unix-socket pipelined row's target in issue 18.
        ...joinComparisons([compare(lw, floor, 'floor', { atLeast: 1.5 })]),
      },
    ],
  };
}
