import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInRounds } from './helpers/fuzz.js';

/**
 * The codec fuzz tests check 100,000+ cases synchronously. Run in one
 * `fc.assert`, a file blocked vitest's worker past the 60 s in which it must
 * read the answers to its progress reports, and CI failed with every test
 * passing. `checkInRounds` must therefore give the event loop turns.
 */
describe('checkInRounds, which the codec fuzz tests run through', () => {
  it('checks every case, and lets the event loop run between rounds of them', async () => {
    let cases = 0;
    // Event-loop turns, counted by an immediate that schedules itself again:
    // it runs once per turn, after that turn's I/O (the poll phase, where
    // vitest's worker reads its messages). A timer would count time, not
    // turns: at 0 ms it waits 1 ms, and on a fast machine a round of 500
    // trivial cases takes less (Node 26 in CI counted 2 ticks, not 3).
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    try {
      await checkInRounds(
        fc.property(fc.nat(), () => {
          cases++;
        }),
        2_000,
      );
    } finally {
      counting = false;
    }
    expect(cases).toBe(2_000);
    // Four rounds of 500: the loop takes a turn between each.
    expect(turns).toBeGreaterThanOrEqual(3);
  });

  it('fails as fc.assert does, with the counterexample', async () => {
    await expect(
      checkInRounds(
        fc.property(fc.nat(), (n) => n < 0),
        2_000,
      ),
    ).rejects.toThrow(/Counterexample/);
  });
});
