/**
 * reconnect-server over named pipes, in its own node.exe process, for
 * windows/reconnect.test.ts (compiled with the tests, as pipe-server.ts is):
 * the same methods as fixtures/reconnect-server.mjs, which reconnect-scenario.ts
 * describes.
 *
 *   node reconnect-server.js <pipe name> <log file>
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { namedPipeTransport } from '@localwire/named-pipe';
import { createRpcServer, createSubscriptions } from '../../../src/index.js';

const [, , address, log] = process.argv;
if (address === undefined || log === undefined) {
  throw new Error('usage: node reconnect-server.js <pipe name> <log file>');
}
const ticks = createSubscriptions({
  topics: ['ticks'],
  onSubscribe: (subscription) => {
    let n = 0;
    const timer = setInterval(() => ticks.send(subscription, { pid: process.pid, n: n++ }), 10);
    return () => clearInterval(timer);
  },
});
const executed = async (method: string, [key]: [number]) => {
  appendFileSync(log, `${method} ${key}\n`);
  await sleep(3);
  return key;
};
const server = createRpcServer({
  methods: {
    ...ticks.methods,
    put: (params: [number]) => executed('put', params),
    once: (params: [number]) => executed('once', params),
  },
});
await server.listen(namedPipeTransport, address);
console.log(JSON.stringify({ listening: true, pid: process.pid }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
