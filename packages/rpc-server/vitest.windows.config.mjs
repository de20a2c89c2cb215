// The rpc-server suite as scripts/test-windows.sh runs it under Wine, over
// named pipes: the same tests as on Linux, compiled to JavaScript (vitest
// --root points at the output), with room for Wine's slower process
// start-up and I/O on a loaded machine.
export default {
  test: {
    include: ['test/**/*.test.js'],
    // Of the reliability suite, faults, soak, access and clock read /proc,
    // need half-close, Unix permissions, fixtures spawned through bash or
    // libfaketime: Linux only, so they are not run here (rather than
    // registered and skipped).
    // close and e2e-fuzz run on both; test/reliability/windows/ holds the
    // Windows counterpart of faults and soak (the Linux config excludes it).
    exclude: [
      'test/reliability/faults.test.js',
      'test/reliability/soak.test.js',
      'test/reliability/access.test.js',
      // Preloads Linux's libfaketime into a server process.
      'test/reliability/clock.test.js',
      // Spawns the .mjs fixture on the Unix transport; windows/reconnect.test.js is its twin.
      'test/reliability/reconnect.test.js',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};
