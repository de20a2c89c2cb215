// Bulk throughput of @localwire/named-pipe against Node's own pipe server and
// client, one way, both ends in this process. Run it with the Windows node.exe
// (under Wine: scripts/test-windows.sh --node packages/named-pipe/bench/throughput.mjs)
// after `npm run build`. Prints MiB/s per run and the median of each.
import { once } from 'node:events';
import net from 'node:net';
import { namedPipeTransport } from '../dist/index.js';

const TOTAL = Number(process.env.BENCH_BYTES ?? 256 * 1024 * 1024);
const CHUNK = 64 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

if (process.platform !== 'win32') {
  console.error(
    'throughput.mjs measures Windows named pipes: run it with node.exe on Windows or Wine',
  );
  process.exit(1);
}

/** Sends `total` bytes from `client` to `server` and returns MiB/s. */
async function measure(client, server, total = TOTAL) {
  let received = 0;
  const done = new Promise((resolve) => {
    server.on('data', (chunk) => {
      received += chunk.length;
      if (received >= total) resolve();
    });
  });
  const chunk = Buffer.alloc(CHUNK, 0x61);
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < total; sent += CHUNK) {
    if (!client.write(chunk)) await once(client, 'drain');
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return total / 1024 / 1024 / seconds;
}

async function localwire(name, total) {
  const listener = await namedPipeTransport.listen(name);
  const accepted = once(listener, 'connection');
  const client = await namedPipeTransport.connect(name);
  const [server] = await accepted;
  const rate = await measure(client, server, total);
  client.destroy();
  server.destroy();
  await listener.close();
  return rate;
}

async function nodeNet(name, total) {
  const netServer = net.createServer();
  netServer.listen(name);
  await once(netServer, 'listening');
  const accepted = once(netServer, 'connection');
  const client = net.connect(name);
  await once(client, 'connect');
  const [server] = await accepted;
  const rate = await measure(client, server, total);
  client.destroy();
  server.destroy();
  await new Promise((resolve) => netServer.close(resolve));
  return rate;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
// A small untimed round of each first, so JIT warm-up counts for neither.
await localwire(`\\\\.\\pipe\\localwire-bench-${process.pid}-warm-a`, 32 * 1024 * 1024);
await nodeNet(`\\\\.\\pipe\\localwire-bench-${process.pid}-warm-b`, 32 * 1024 * 1024);
const results = { '@localwire/named-pipe': [], 'node:net pipe': [] };
for (let round = 0; round < ROUNDS; round++) {
  const name = `\\\\.\\pipe\\localwire-bench-${process.pid}-${round}`;
  results['@localwire/named-pipe'].push(await localwire(`${name}-a`));
  results['node:net pipe'].push(await nodeNet(`${name}-b`));
}
console.log(
  `${TOTAL / 1024 / 1024} MiB one way, ${CHUNK / 1024} KiB writes, ${ROUNDS} rounds, node ${process.version} on ${process.platform}`,
);
for (const [name, rates] of Object.entries(results)) {
  console.log(
    `${name.padEnd(22)} median ${median(rates).toFixed(0)} MiB/s  (${rates.map((r) => r.toFixed(0)).join(', ')})`,
  );
}
