import { defineConfig } from 'vitest/config';

// The fuzz and depth-check tests run seconds of generated cases: on a loaded
// 2-core machine one took 6.5 s, past vitest's default 5 s. The same room
// as the other packages' suites give theirs.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
