import { defineConfig } from 'vitest/config';

// The tests run the built CLI in child processes; give them room on a loaded machine.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
