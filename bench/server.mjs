// A benchmark server child, started by run.mjs:
//   node server.mjs --mode echo|bulk|rpc --impl NAME --path SOCKET [--large]
// The byte modes take several --impl/--path pairs: one process serving
// raw net and the localwire transport side by side.
// Prints `READY {...}` once listening; answers `rss` (after a full GC when
// run with --expose-gc) and `exit` over IPC.
import { parseArgs } from 'node:util';
import { bytesImpls, rpcImpls } from './impls/index.mjs';
import { serveBulk } from './lib/bulk.mjs';
import { announceReady, answerRequests } from './lib/ipc.mjs';

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    impl: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
    large: { type: 'boolean', default: false },
  },
});
const { mode, large } = values;
const impls = values.impl ?? [];
const paths = values.path ?? [];
if (!mode || impls.length === 0 || impls.length !== paths.length) {
  throw new Error('usage: server.mjs --mode M (--impl I --path P)…');
}

/** @param {import('node:stream').Duplex} connection */
function echo(connection) {
  connection.on('error', () => {});
  connection.on('data', (chunk) => connection.write(chunk));
  connection.on('end', () => connection.end());
}

/** @type {{ close(): Promise<void> }[]} */
const servers = [];
for (let i = 0; i < impls.length; i++) {
  const impl = impls[i];
  if (mode === 'rpc') {
    const rpc = rpcImpls[impl];
    if (!rpc) throw new Error(`no RPC implementation ${impl}`);
    servers.push(await rpc.serve(paths[i], { large }));
  } else {
    const bytes = bytesImpls[impl];
    if (!bytes) throw new Error(`no byte implementation ${impl}`);
    if (mode !== 'echo' && mode !== 'bulk') throw new Error(`no mode ${mode}`);
    servers.push(await bytes.listen(paths[i], mode === 'echo' ? echo : serveBulk));
  }
}

answerRequests(
  {
    gc() {
      const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
      gc?.();
      return null;
    },
    rss() {
      const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
      if (gc) {
        gc();
        gc();
      }
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      return { rss, heapUsed, external, arrayBuffers };
    },
  },
  async () => {
    for (const server of servers) await server.close();
  },
);
announceReady({ mode, impls });
