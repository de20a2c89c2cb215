import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeadline } from '../src/deadline.js';
import { TransportError } from '../src/errors.js';

const address = '/run/app.sock';

function thrown(run: () => void): TransportError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    return err as TransportError;
  }
  throw new Error('expected a TransportError');
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createDeadline', () => {
  it('without timeout or signal has no signal and never expires', () => {
    const deadline = createDeadline(address);
    expect(deadline.signal).toBeUndefined();
    vi.advanceTimersByTime(1e9);
    deadline.throwIfExpired();
    deadline.dispose();
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses the timeout %d with EINVAL',
    (timeout) => {
      const err = thrown(() => createDeadline(address, { timeout }));
      expect(err).toMatchObject({ code: 'EINVAL', address });
      expect(err.message).toContain(address);
    },
  );

  it('aborts when the timeout passes, with ETIMEDOUT naming the address and the time', () => {
    const deadline = createDeadline(address, { timeout: 250 });
    vi.advanceTimersByTime(249);
    expect(deadline.signal?.aborted).toBe(false);
    deadline.throwIfExpired();
    vi.advanceTimersByTime(1);
    expect(deadline.signal?.aborted).toBe(true);
    const err = thrown(() => deadline.throwIfExpired());
    expect(err).toMatchObject({ code: 'ETIMEDOUT', address });
    expect(err.message).toContain(`timed out connecting to ${address}`);
    expect(err.message).toContain('250 ms');
  });

  it("aborts when the caller's signal does, with ABORT_ERR and the reason as cause", () => {
    const controller = new AbortController();
    const deadline = createDeadline(address, { timeout: 1000, signal: controller.signal });
    const reason = new Error('user gave up');
    controller.abort(reason);
    expect(deadline.signal?.aborted).toBe(true);
    const err = deadline.error();
    expect(err).toMatchObject({ code: 'ABORT_ERR', address, cause: reason });
    vi.advanceTimersByTime(1000);
    expect(deadline.error().code).toBe('ABORT_ERR');
  });

  it('is expired at once for a signal that has already aborted', () => {
    const reason = new Error('too late');
    const deadline = createDeadline(address, { timeout: 1000, signal: AbortSignal.abort(reason) });
    expect(thrown(() => deadline.throwIfExpired())).toMatchObject({
      code: 'ABORT_ERR',
      cause: reason,
    });
  });

  it('after dispose, neither the timer nor the signal aborts it', () => {
    const controller = new AbortController();
    const deadline = createDeadline(address, { timeout: 100, signal: controller.signal });
    deadline.dispose();
    vi.advanceTimersByTime(1000);
    controller.abort();
    expect(deadline.signal?.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
