// A benchmark server child, started by run.mjs:
//   node server.mjs --mode echo|bulk|rpc --impl NAME --path WHERE [--large]
//                   [--certificates DIR]
// The byte modes take several --impl/--path pairs: one process serving
// raw net and the localwire transport side by side. WHERE is a socket path,
// or for TCP and TLS a loopback address with port 0; the TLS implementations
// read their certificates from DIR (lib/certificates.mjs).
// Prints `READY {...}` once listening, with `addresses`: where each
// implementation listens (the port the OS chose); answers `rss` (after a
// full GC when run with --expose-gc) and `exit` over IPC.
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { bytesImpls, rpcImpls } from './impls/index.mjs';
import { serveBulk } from './lib/bulk.mjs';
import { announceReady, answerRequests } from './lib/ipc.mjs';

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    impl: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
    large: { type: 'boolean', default: false },
    certificates: { type: 'string' },
  },
});
const { mode, large, certificates } = values;
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
/** @type {string[]} where each implementation listens, in order */
const addresses = [];
for (let i = 0; i < impls.length; i++) {
  const impl = impls[i];
  if (mode === 'rpc') {
    const rpc = rpcImpls[impl];
    if (!rpc) throw new Error(`no RPC implementation ${impl}`);
    servers.push(await rpc.serve(paths[i], { large }));
    addresses.push(paths[i]);
  } else {
    const bytes = bytesImpls[impl];
    if (!bytes) throw new Error(`no byte implementation ${impl}`);
    if (mode !== 'echo' && mode !== 'bulk') throw new Error(`no mode ${mode}`);
    const server = await bytes.listen(paths[i], mode === 'echo' ? echo : serveBulk, {
      certificates,
    });
    servers.push(server);
    addresses.push(server.address);
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
      // The young generation's resident size: V8 doubles it, in steps of
      // megabytes, as objects survive, so it says when an RSS figure holds one.
      const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
      return { rss, heapUsed, external, arrayBuffers, young: young?.physical_space_size ?? 0 };
    },
  },
  async () => {
    for (const server of servers) await server.close();
  },
);
announceReady({ mode, impls, addresses });
