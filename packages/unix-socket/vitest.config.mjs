import { defineConfig } from 'vitest/config';

// On Windows the transport only refuses (ERR_UNSUPPORTED_PLATFORM): that is
// what runs there. Under Wine, scripts/test-windows.sh runs the compiled
// test/windows/ suite with vitest.windows.config.mjs instead.
// The tests spawn child processes; give them room on a loaded machine.
export default defineConfig({
  test: {
    include: process.platform === 'win32' ? ['test/windows/**/*.test.ts'] : ['test/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
