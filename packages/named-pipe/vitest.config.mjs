import { defineConfig } from 'vitest/config';

// On Windows the real suite runs; elsewhere only the platform test can be
// real. Under Wine, scripts/test-windows.sh runs the compiled Windows suite
// with vitest.windows.config.mjs instead.
export default defineConfig({
  test: {
    include: process.platform === 'win32' ? ['test/windows/**/*.test.ts'] : ['test/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
