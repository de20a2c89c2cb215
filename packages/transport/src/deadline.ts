import { describeError, TransportError } from './errors.js';
import type { ConnectOptions } from './types.js';

/**
 * One signal for "stop trying": the caller's `signal` or the `timeout`,
 * whichever comes first, and the error that says which.
 */
export interface Deadline {
  /** Aborts when the caller's signal aborts or the timeout passes. */
  readonly signal: AbortSignal | undefined;
  /** The error to raise now that {@link Deadline.signal} has aborted. */
  error(): TransportError;
  /** Throws {@link Deadline.error} if the deadline has passed. */
  throwIfExpired(): void;
  /** Stops the timer; call it once the operation has finished. */
  dispose(): void;
}

/**
 * Builds the {@link Deadline} for a connect to `address`.
 * @throws {TransportError} `EINVAL` for a negative or non-finite timeout.
 */
export function createDeadline(address: string, options: ConnectOptions = {}): Deadline {
  const { timeout, signal: userSignal } = options;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0)) {
    throw new TransportError(
      'EINVAL',
      describeError(
        'EINVAL',
        address,
        `timeout must be a number of milliseconds >= 0, got ${timeout}`,
      ),
      { address },
    );
  }
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const controller =
    timeout === undefined && userSignal === undefined ? undefined : new AbortController();
  const onUserAbort = () => {
    // The caller gave up first: the timer must not relabel that as a timeout.
    clearTimeout(timer);
    controller?.abort(userSignal?.reason);
  };
  if (userSignal?.aborted) onUserAbort();
  else userSignal?.addEventListener('abort', onUserAbort, { once: true });
  if (timeout !== undefined && !controller?.signal.aborted) {
    timer = setTimeout(() => {
      timedOut = true;
      controller?.abort();
    }, timeout);
  }
  const error = () =>
    timedOut
      ? new TransportError(
          'ETIMEDOUT',
          `${describeError('ETIMEDOUT', address)} (after ${timeout} ms)`,
          { address },
        )
      : new TransportError('ABORT_ERR', describeError('ABORT_ERR', address), {
          address,
          cause: userSignal?.reason,
        });
  return {
    signal: controller?.signal,
    error,
    throwIfExpired() {
      if (controller?.signal.aborted) throw error();
    },
    dispose() {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onUserAbort);
    },
  };
}
