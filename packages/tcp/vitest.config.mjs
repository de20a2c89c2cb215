import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const RPC_SERVER = fileURLToPath(new URL('../rpc-server/', import.meta.url));
const RPC_TESTS = `${RPC_SERVER}test/`;
const SUITE = fileURLToPath(new URL('./test/rpc-suite/', import.meta.url));

/**
 * Puts this package's test/rpc-suite/ modules in place of the rpc-server
 * tests' helpers/transport.ts and helpers/address.ts, for imports made from
 * the rpc-server tests: the same tests, over TCP or TLS.
 */
const overTcp = {
  name: 'rpc-suite-over-tcp',
  enforce: 'pre',
  async resolveId(source, importer, options) {
    if (!importer?.startsWith(RPC_TESTS)) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    const swapped = resolved?.id.match(/\/test\/helpers\/(transport|address)\.ts$/);
    if (!swapped || !resolved.id.startsWith(RPC_TESTS)) return null;
    return `${SUITE}${swapped[1]}.ts`;
  },
};

// The rpc-server tests that are about the RPC layer, not about one transport.
// Left out: backoff (no connection), dual-package (the package's builds),
// interop-ethers (ethers' IPC provider takes a socket path), interop-vscode-
// jsonrpc (test/rpc.test.ts is its TCP counterpart), and test/reliability/,
// whose servers are child processes on the Unix-socket transport.
const RPC_SUITE = [
  'cancellation',
  'client-subscribe',
  'client',
  'close',
  'dispatch',
  'flow-control',
  'input',
  'limits',
  'load',
  'message-text',
  'property',
  'reconnect',
  'schema',
  'server',
  'spec',
  'subscriptions',
  'tracing',
  'transport',
].map((name) => `test/${name}.test.ts`);

/** The rpc-server suite, from its own directory, over `over` (tcp or tls). */
const rpcSuite = (over) => ({
  plugins: [overTcp],
  test: {
    name: `rpc-server over ${over}`,
    root: RPC_SERVER,
    include: RPC_SUITE,
    env: { LOCALWIRE_RPC_OVER: over },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

// The tests listen on 127.0.0.1 and ::1 only, and generate their
// certificates with the openssl CLI; give them room on a loaded machine.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'tcp',
          include: ['test/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      rpcSuite('tcp'),
      rpcSuite('tls'),
    ],
  },
});
