// A benchmark server child, started by run.mjs:
//   node server.mjs --mode echo|bulk|rpc --impl NAME --path SOCKET [--large]
// Prints `READY {...}` once listening; answers `rss` (after a full GC when
// run with --expose-gc) and `exit` over IPC.
import { parseArgs } from 'node:util';
import { bytesImpls, rpcImpls } from './impls/index.mjs';
import { serveBulk } from './lib/bulk.mjs';
import { announceReady, answerRequests } from './lib/ipc.mjs';

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    impl: { type: 'string' },
    path: { type: 'string' },
    large: { type: 'boolean', default: false },
  },
});
const { mode, impl, path, large } = values;
if (!mode || !impl || !path) throw new Error('usage: server.mjs --mode M --impl I --path P');

/** @param {import('node:stream').Duplex} connection */
function echo(connection) {
  connection.on('error', () => {});
  connection.on('data', (chunk) => connection.write(chunk));
  connection.on('end', () => connection.end());
}

/** @type {{ close(): Promise<void> }} */
let server;
if (mode === 'rpc') {
  const rpc = rpcImpls[impl];
  if (!rpc) throw new Error(`no RPC implementation ${impl}`);
  server = await rpc.serve(path, { large });
} else {
  const bytes = bytesImpls[impl];
  if (!bytes) throw new Error(`no byte implementation ${impl}`);
  if (mode !== 'echo' && mode !== 'bulk') throw new Error(`no mode ${mode}`);
  server = await bytes.listen(path, mode === 'echo' ? echo : serveBulk);
}

answerRequests(
  {
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
  () => server.close(),
);
announceReady({ mode, impl });
