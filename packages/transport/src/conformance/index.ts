/**
 * The localwire transport conformance suite: the behaviours, error codes and
 * edge cases every transport must share, as vitest tests over real
 * sockets or pipes.
 *
 * @example
 * {@includeCode ../../../unix-socket/examples/conformance.ts}
 * @module
 */
import { afterEach, beforeEach, describe, it } from 'vitest';
import { connectCases } from './cases/connect.js';
import { dataCases } from './cases/data.js';
import { lifecycleCases } from './cases/lifecycle.js';
import { peerCases } from './cases/peer.js';
import { Harness } from './harness.js';
import { type ConformanceOptions, resolveOptions } from './options.js';
import type { Suite } from './suite.js';

export type { ConformanceOptions, ReleaseBusyAddress } from './options.js';
// Stream helpers the suite uses, for a transport's own tests too.
export { readExactly } from './streams.js';
export { nextConnection } from './suite.js';

/**
 * Registers the conformance suite for one transport in a `describe` block
 * titled `options.name`. Call it at the top level of a vitest test file.
 * Each test gets a fresh transport from `createTransport` and fresh
 * addresses from `createAddress`, and everything it opened is closed after it.
 */
export function runConformance(options: ConformanceOptions): void {
  const resolved = resolveOptions(options);
  describe(resolved.name, () => {
    let current: Harness | undefined;
    beforeEach(() => {
      current = new Harness(resolved);
    });
    afterEach(async () => {
      const harness = current;
      current = undefined;
      await harness?.dispose();
    }, resolved.timeoutMs);
    const suite: Suite = {
      options: resolved,
      harness() {
        if (!current) throw new Error('the conformance harness is used outside a test');
        return current;
      },
      test(name, body) {
        it(name, body, resolved.timeoutMs);
      },
    };
    dataCases(suite);
    connectCases(suite);
    lifecycleCases(suite);
    peerCases(suite);
  });
}
