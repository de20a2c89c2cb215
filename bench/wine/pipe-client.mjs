// The named-pipe bulk client for the Windows node.exe (under Wine, started
// by bench/run.mjs). Sends `--bytes` one way on a fresh connection per round,
// to the localwire and the Node pipe servers in turn (a warm-up each first),
// and prints `RESULT {json}` with MiB/s per round.
import { once } from 'node:events';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { namedPipeTransport } from '@localwire/named-pipe';
import { sendBulk } from '../lib/bulk.mjs';

const { values } = parseArgs({
  options: {
    localwire: { type: 'string' },
    node: { type: 'string' },
    bytes: { type: 'string' },
    'warmup-bytes': { type: 'string' },
    chunk: { type: 'string', default: String(64 * 1024) },
    rounds: { type: 'string', default: '3' },
    first: { type: 'string', default: 'localwire' },
  },
});
const bytes = Number(values.bytes);
const warmupBytes = Number(values['warmup-bytes'] ?? bytes);
const chunk = Number(values.chunk);
const rounds = Number(values.rounds);
const MiB = 1024 * 1024;

/** @type {Record<string, (name: string) => Promise<import('node:stream').Duplex>>} */
const connect = {
  localwire: (name) => namedPipeTransport.connect(name, { timeout: 10_000 }),
  node: async (name) => {
    const socket = net.connect(name);
    await once(socket, 'connect');
    return socket;
  },
};
/** @type {Record<string, string | undefined>} */
const names = { localwire: values.localwire, node: values.node };
const impls = /** @type {Array<'localwire' | 'node'>} */ (
  values.first === 'node' ? ['node', 'localwire'] : ['localwire', 'node']
);

/**
 * @param {'localwire' | 'node'} impl
 * @param {number} size
 */
async function round(impl, size) {
  const connection = await connect[impl](/** @type {string} */ (names[impl]));
  try {
    const ms = await sendBulk(connection, size, chunk);
    return size / MiB / (ms / 1000);
  } finally {
    connection.destroy();
  }
}

/** @type {Record<string, number[]>} */
const results = { localwire: [], node: [] };
// Warm-ups in the same order as the rounds; rounds alternate who goes first.
for (const impl of impls) await round(impl, warmupBytes);
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < impls.length; k++) {
    const impl = impls[(r + k) % impls.length];
    const rate = await round(impl, bytes);
    results[impl].push(rate);
    console.log(`ROUND ${impl} ${rate.toFixed(1)}`);
  }
}
console.log(
  `RESULT ${JSON.stringify({ results, node: process.version, platform: process.platform })}`,
);
process.exit(0);
