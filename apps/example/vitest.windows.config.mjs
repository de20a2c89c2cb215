// The CLI tests as scripts/test-windows.sh runs them under Wine: compiled to
// JavaScript (vitest --root points at the output), one file at a time, with
// room for Wine's slow process start-up.
export default {
  test: {
    include: ['test/**/*.test.js'],
    // Graceful shutdown on SIGTERM/SIGINT cannot be provoked on Windows: Node's
    // kill() there terminates the process outright. It runs on Linux/macOS.
    exclude: ['test/shutdown.test.js'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
};
