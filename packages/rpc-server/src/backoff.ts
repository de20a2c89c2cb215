/**
 * How long a reconnecting client waits between attempts: exponential backoff
 * with jitter, and which connect errors are worth another attempt.
 */
/**
 * How a client reconnects (`reconnect` of {@link RpcClientOptions}); every
 * field is optional. The wait before attempt `n` (counting from 1) is
 * `min(maxDelay, initialDelay × factor^(n−1))`, and with `jitter` a random
 * share of it: between half and all of it, so that many clients of one
 * restarted server do not all come back in the same millisecond.
 */
export interface ReconnectOptions {
  /** Milliseconds before the first attempt. Default 50. */
  initialDelay?: number;
  /** The longest wait between two attempts, in milliseconds. Default 5,000. */
  maxDelay?: number;
  /** What each wait is multiplied by. Default 2. */
  factor?: number;
  /** Wait a random 50–100 % of each delay. Default true. */
  jitter?: boolean;
  /**
   * Attempts before the client gives up and closes (`closeReason.kind`
   * `'disconnected'`, with the last attempt's error). Default `Infinity`.
   */
  maxAttempts?: number;
}

/** {@link ReconnectOptions} with the defaults filled in, checked. */
export class Backoff {
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly factor: number;
  readonly jitter: boolean;
  readonly maxAttempts: number;

  /** @throws {RangeError} (`ERR_OUT_OF_RANGE`) for a delay, factor or count out of range. */
  constructor(options: ReconnectOptions = {}) {
    this.initialDelay = check('initialDelay', options.initialDelay ?? 50, 0);
    this.maxDelay = check('maxDelay', options.maxDelay ?? 5000, this.initialDelay);
    this.factor = check('factor', options.factor ?? 2, 1);
    this.jitter = options.jitter ?? true;
    this.maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (
      !(Number.isInteger(this.maxAttempts) && this.maxAttempts >= 1) &&
      this.maxAttempts !== Number.POSITIVE_INFINITY
    ) {
      throw outOfRange(
        `maxAttempts must be a positive integer or Infinity, got ${this.maxAttempts}`,
      );
    }
  }

  /** Milliseconds to wait before attempt `attempt` (1 for the first). */
  delay(attempt: number): number {
    const full = Math.min(this.maxDelay, this.initialDelay * this.factor ** (attempt - 1));
    return this.jitter ? full * (0.5 + Math.random() / 2) : full;
  }
}

/** The `reconnect` option as a {@link Backoff}; `undefined` when off. */
export function resolveBackoff(
  option: boolean | ReconnectOptions | undefined,
): Backoff | undefined {
  if (option === undefined || option === false) return undefined;
  return new Backoff(option === true ? {} : option);
}

function check(name: string, value: number, min: number): number {
  if (Number.isFinite(value) && value >= min) return value;
  throw outOfRange(`reconnect.${name} must be a finite number >= ${min}, got ${value}`);
}

function outOfRange(message: string): RangeError {
  return Object.assign(new RangeError(message), { code: 'ERR_OUT_OF_RANGE' });
}

/** Codes that mean the server is not there (yet): it is starting, restarting, or just went away. */
const NOT_THERE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/**
 * Win32 errors of a pipe that is there but busy or going away:
 * `ERROR_BROKEN_PIPE` (109), `ERROR_PIPE_BUSY` (231), `ERROR_NO_DATA` (232),
 * `ERROR_PIPE_NOT_CONNECTED` (233).
 */
const PIPE_NOT_READY = new Set([109, 231, 232, 233]);

/**
 * True when a connect error means "not there (yet)", worth another attempt;
 * false for anything else (`EACCES`, an owner check that failed, `EINVAL`,
 * `ENAMETOOLONG`, an abort), which no wait will fix.
 */
export function isRetryable(error: unknown): boolean {
  const { code, winError } = error as { code?: unknown; winError?: unknown };
  if (typeof winError === 'number' && PIPE_NOT_READY.has(winError)) return true;
  return typeof code === 'string' && NOT_THERE.has(code);
}
