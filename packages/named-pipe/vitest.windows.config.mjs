// The Windows suite as scripts/test-windows.sh runs it under Wine: compiled
// to JavaScript (vitest --root points at the output), one test file at a
// time, with room for Wine's slower process start-up.
export default {
  test: {
    include: ['test/windows/**/*.test.js'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
};
