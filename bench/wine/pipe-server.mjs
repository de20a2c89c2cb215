// A named-pipe bulk server for the Windows node.exe (under Wine, started by
// bench/run.mjs): `--impl localwire` listens with @localwire/named-pipe,
// `--impl node` with Node's own net pipe server. Prints `READY` once
// listening, serves the bulk protocol (lib/bulk.mjs), and exits after
// `--limit` seconds at the latest (the orchestrator normally kills it).
import net from 'node:net';
import { parseArgs } from 'node:util';
import { namedPipeTransport } from '@localwire/named-pipe';
import { serveBulk } from '../lib/bulk.mjs';

const { values } = parseArgs({
  options: {
    impl: { type: 'string' },
    name: { type: 'string' },
    limit: { type: 'string', default: '900' },
  },
});
const { impl, name } = values;
if (!name || (impl !== 'localwire' && impl !== 'node')) {
  throw new Error('usage: pipe-server.mjs --impl localwire|node --name \\\\.\\pipe\\NAME');
}
setTimeout(() => process.exit(2), Number(values.limit) * 1000);

if (impl === 'localwire') {
  const listener = await namedPipeTransport.listen(name);
  listener.on('connection', serveBulk);
} else {
  const server = net.createServer(serveBulk);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(name, () => resolve(undefined));
  });
}
console.log(`READY ${JSON.stringify({ impl, name, pid: process.pid, node: process.version })}`);
