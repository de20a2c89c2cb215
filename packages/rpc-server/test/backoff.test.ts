import { TransportError } from '@localwire/transport';
import { describe, expect, it } from 'vitest';
import { Backoff, isRetryable } from '../src/backoff.js';

/** Issue 17: the reconnect delays and which connect errors are retried. */
describe('reconnect backoff (issue 17)', () => {
  it('defaults to 50 ms doubling up to 5 s, jitter on, attempts without end', () => {
    const backoff = new Backoff();
    expect(backoff).toMatchObject({
      initialDelay: 50,
      maxDelay: 5000,
      factor: 2,
      jitter: true,
      maxAttempts: Number.POSITIVE_INFINITY,
    });
    const exact = new Backoff({ jitter: false });
    expect([1, 2, 3, 4, 7, 8, 50].map((n) => exact.delay(n))).toEqual([
      50, 100, 200, 400, 3200, 5000, 5000,
    ]);
  });

  it('with jitter, waits between half and all of each delay', () => {
    const backoff = new Backoff({ initialDelay: 100, maxDelay: 1000, factor: 3 });
    for (let attempt = 1; attempt <= 6; attempt++) {
      const full = Math.min(1000, 100 * 3 ** (attempt - 1));
      for (let i = 0; i < 100; i++) {
        const delay = backoff.delay(attempt);
        expect(delay).toBeGreaterThanOrEqual(full / 2);
        expect(delay).toBeLessThanOrEqual(full);
      }
    }
  });

  it('retries "not there (yet)" and a busy or broken pipe, nothing else', () => {
    const error = (code: ConstructorParameters<typeof TransportError>[0], winError?: number) =>
      new TransportError(code, 'x', { address: 'a', winError });
    for (const code of ['ENOENT', 'ECONNREFUSED', 'ECONNRESET'] as const) {
      expect(isRetryable(error(code)), code).toBe(true);
    }
    expect(isRetryable(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
    // ERROR_BROKEN_PIPE, ERROR_PIPE_BUSY, ERROR_NO_DATA, ERROR_PIPE_NOT_CONNECTED, whatever code they got.
    for (const winError of [109, 231, 232, 233]) {
      expect(isRetryable(error('ETIMEDOUT', winError)), String(winError)).toBe(true);
    }
    for (const code of ['EACCES', 'EINVAL', 'ENAMETOOLONG', 'ETIMEDOUT', 'ABORT_ERR'] as const) {
      expect(isRetryable(error(code)), code).toBe(false);
    }
    // ERROR_ACCESS_DENIED is EACCES: not retried.
    expect(isRetryable(error('EACCES', 5))).toBe(false);
    expect(isRetryable(new Error('no code'))).toBe(false);
  });
});
