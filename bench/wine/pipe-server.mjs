// A named-pipe server for the Windows node.exe (under Wine, started by
// bench/run.mjs). `--mode bulk` (the default) serves the bulk protocol
// (lib/bulk.mjs): `--impl localwire` listens with @localwire/named-pipe,
// `--impl node` with Node's own net pipe server. `--mode rpc` serves
// JSON-RPC (impls/types.mjs's methods): `--impl localwire` is
// @localwire/rpc-server over @localwire/named-pipe, `--impl node` the
// hand-written floor (impls/floor.mjs) on Node's own net pipe server.
// Prints `READY` once listening, and exits after `--limit` seconds at the
// latest (the orchestrator normally kills it).
import net from 'node:net';
import { parseArgs } from 'node:util';
import { namedPipeTransport } from '@localwire/named-pipe';
import { floor } from '../impls/floor.mjs';
import { localwireOver } from '../impls/localwire.mjs';
import { serveBulk } from '../lib/bulk.mjs';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'bulk' },
    impl: { type: 'string' },
    name: { type: 'string' },
    limit: { type: 'string', default: '900' },
  },
});
const { mode, impl, name } = values;
if (!name || (impl !== 'localwire' && impl !== 'node') || (mode !== 'bulk' && mode !== 'rpc')) {
  throw new Error(
    'usage: pipe-server.mjs [--mode bulk|rpc] --impl localwire|node --name \\\\.\\pipe\\NAME',
  );
}
setTimeout(() => process.exit(2), Number(values.limit) * 1000);

if (mode === 'rpc') {
  const rpc = impl === 'localwire' ? localwireOver(namedPipeTransport, 'localwire') : floor;
  await rpc.serve(name, {});
} else if (impl === 'localwire') {
  const listener = await namedPipeTransport.listen(name);
  listener.on('connection', serveBulk);
} else {
  const server = net.createServer(serveBulk);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(name, () => resolve(undefined));
  });
}
console.log(
  `READY ${JSON.stringify({ mode, impl, name, pid: process.pid, node: process.version })}`,
);
