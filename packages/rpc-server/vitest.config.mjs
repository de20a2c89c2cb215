import { configDefaults, defineConfig } from 'vitest/config';

// The rpc-server suite on Linux/macOS. test/reliability/windows/ holds the
// named-pipe load and fault tests, which only vitest.windows.config.mjs runs
// (under Wine): they are not registered here at all.
export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, 'test/reliability/windows/**'],
  },
});
