// The rpc-server suite as scripts/test-windows.sh runs it under Wine, over
// named pipes: the same tests as on Linux, compiled to JavaScript (vitest
// --root points at the output), with room for Wine's slower process
// start-up and I/O on a loaded machine.
export default {
  test: {
    include: ['test/**/*.test.js'],
    // The reliability suite (faults, soak, end-to-end fuzz) reads /proc and
    // needs half-close; its Windows counterpart is not written yet, and its
    // files would only report skipped tests here.
    exclude: ['test/reliability/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};
