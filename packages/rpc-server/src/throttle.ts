/** How often a {@link ReportThrottle} passes a report on: once a second. */
const INTERVAL_MS = 1000;

/**
 * Passes reports on to `onError` at most once a second; the ones held back
 * are counted, and the count is reported once the second is over (so a
 * flood costs one call a second, and nothing is silently lost). Reports are
 * made lazily: a held-back one never builds its error.
 */
export class ReportThrottle {
  readonly #onError: (error: unknown) => void;
  readonly #summary: (held: number) => Error;
  #last = Number.NEGATIVE_INFINITY;
  #held = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `summary(n)` is the error that reports `n` held-back reports. */
  constructor(onError: (error: unknown) => void, summary: (held: number) => Error) {
    this.#onError = onError;
    this.#summary = summary;
  }

  /** Reports `make()` now, or counts it if a report went out less than a second ago. */
  report(make: () => unknown): void {
    // The monotonic clock: with the wall clock set back an hour, the next
    // report would have waited an hour.
    const now = performance.now();
    if (now - this.#last >= INTERVAL_MS && this.#timer === undefined) {
      this.#last = now;
      this.#onError(make());
      return;
    }
    this.#held++;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#flush, Math.max(0, this.#last + INTERVAL_MS - now));
      this.#timer.unref();
    }
  }

  readonly #flush = () => {
    this.#timer = undefined;
    const held = this.#held;
    this.#held = 0;
    this.#last = performance.now();
    this.#onError(this.#summary(held));
  };
}
