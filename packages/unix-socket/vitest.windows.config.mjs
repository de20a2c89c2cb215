// The Windows suite as scripts/test-windows.sh runs it under Wine, compiled to
// JavaScript (vitest --root points at the output): the transport refuses on
// Windows, and says so.
export default {
  test: {
    include: ['test/windows/**/*.test.js'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};
