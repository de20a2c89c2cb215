import { configDefaults, defineConfig } from 'vitest/config';

// The rpc-server suite on Linux/macOS. test/reliability/windows/ holds the
// named-pipe load and fault tests, which only vitest.windows.config.mjs runs
// (under Wine): they are not registered here at all. The tests run over real
// sockets, some with child processes: the same room on a loaded machine as
// the other packages' suites give theirs.
export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, 'test/reliability/windows/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
