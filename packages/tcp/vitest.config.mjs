import { defineConfig } from 'vitest/config';

// The tests listen on 127.0.0.1 and ::1 only, and generate their
// certificates with the openssl CLI; give them room on a loaded machine.
export default defineConfig({
  test: {
    include: ['test/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
