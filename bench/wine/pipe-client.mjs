// The named-pipe client for the Windows node.exe (under Wine, started by
// bench/run.mjs), for the localwire and the Node pipe servers in turn
// (wine/pipe-server.mjs), a warm-up each first, rounds alternating who goes
// first. `--mode bulk` (the default) sends `--bytes` one way on a fresh
// connection per round: MiB/s per round. `--mode rpc` connects once to each
// (localwire: @localwire/rpc-server's client over @localwire/named-pipe;
// node: the floor's client on Node's own net pipe client) and makes
// `--count` pipelined tiny calls, `--window` in flight, per round
// (lib/pipelined.mjs, as the Unix-socket rows): calls/s per round. Prints
// `RESULT {json}` at the end.
import { once } from 'node:events';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { namedPipeTransport } from '@localwire/named-pipe';
import { floor } from '../impls/floor.mjs';
import { localwireOver } from '../impls/localwire.mjs';
import { sendBulk } from '../lib/bulk.mjs';
import { expectThree, pipelinedCalls } from '../lib/pipelined.mjs';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'bulk' },
    localwire: { type: 'string' },
    node: { type: 'string' },
    bytes: { type: 'string' },
    'warmup-bytes': { type: 'string' },
    chunk: { type: 'string', default: String(64 * 1024) },
    count: { type: 'string' },
    window: { type: 'string', default: '256' },
    warmups: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    first: { type: 'string', default: 'localwire' },
  },
});
const rounds = Number(values.rounds);
const MiB = 1024 * 1024;

/** @type {Record<string, string | undefined>} */
const names = { localwire: values.localwire, node: values.node };
const impls = /** @type {Array<'localwire' | 'node'>} */ (
  values.first === 'node' ? ['node', 'localwire'] : ['localwire', 'node']
);

/**
 * One measured figure of `impl` (a warm-up when `warmup`).
 * @typedef {(impl: 'localwire' | 'node', warmup: boolean) => Promise<number>} Round
 */

/** @returns {Round} */
function bulkRounds() {
  const bytes = Number(values.bytes);
  const warmupBytes = Number(values['warmup-bytes'] ?? bytes);
  const chunk = Number(values.chunk);
  /** @type {Record<string, (name: string) => Promise<import('node:stream').Duplex>>} */
  const connect = {
    localwire: (name) => namedPipeTransport.connect(name, { timeout: 10_000 }),
    node: async (name) => {
      const socket = net.connect(name);
      await once(socket, 'connect');
      return socket;
    },
  };
  return async (impl, warmup) => {
    const size = warmup ? warmupBytes : bytes;
    const connection = await connect[impl](/** @type {string} */ (names[impl]));
    try {
      const ms = await sendBulk(connection, size, chunk);
      return size / MiB / (ms / 1000);
    } finally {
      connection.destroy();
    }
  };
}

/**
 * Connects one client to each server and checks one call on each.
 * @returns {Promise<{ round: Round, close: () => Promise<void> }>}
 */
async function rpcRounds() {
  const params = { count: Number(values.count), window: Number(values.window) };
  const impl = { localwire: localwireOver(namedPipeTransport, 'localwire'), node: floor };
  /** @type {Record<string, import('../impls/types.mjs').RpcClient>} */
  const clients = {};
  for (const name of impls) {
    clients[name] = await impl[name].connect(/** @type {string} */ (names[name]), {});
    expectThree(await clients[name].call('add', [1, 2]));
  }
  return {
    round: (name) => pipelinedCalls(clients[name], params),
    close: async () => {
      for (const client of Object.values(clients)) await client.close();
    },
  };
}

const { round, close } =
  values.mode === 'rpc' ? await rpcRounds() : { round: bulkRounds(), close: async () => {} };
/** @type {Record<string, number[]>} */
const results = { localwire: [], node: [] };
// Warm-ups in the same order as the rounds; rounds alternate who goes first.
for (let w = 0; w < Number(values.warmups); w++) {
  for (const impl of impls) await round(impl, true);
}
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < impls.length; k++) {
    const impl = impls[(r + k) % impls.length];
    const figure = await round(impl, false);
    results[impl].push(figure);
    console.log(`ROUND ${impl} ${figure.toFixed(1)}`);
  }
}
await close();
console.log(
  `RESULT ${JSON.stringify({ results, node: process.version, platform: process.platform })}`,
);
process.exit(0);
