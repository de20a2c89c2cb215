import type { RpcLimits } from './limits.js';

/** A connection the {@link Watchdog} looks at. */
export interface Watched {
  /** Closes the connection if its peer has stalled for too long, as of `now` (ms on a monotonic clock, > 0). */
  checkTimeouts(now: number): void;
}

/**
 * One coarse interval timer for the timeouts of many connections
 * (`messageTimeout`, `idleTimeout`): each tick asks every connection to
 * compare a few counters it keeps with what it saw on the tick before. No
 * timer is set, cleared or moved per message, nor per connection, so the
 * timeouts cost nothing on the hot path.
 */
export class Watchdog {
  readonly #period: number;
  readonly #watched: Set<Watched>;
  #timer: NodeJS.Timeout | undefined;

  private constructor(period: number, watched: Set<Watched>) {
    this.#period = period;
    this.#watched = watched;
  }

  /**
   * A watchdog for `limits`, ticking about every quarter of the shortest
   * timeout (at least every second, at most every 10 ms); `undefined` when
   * no timeout is set. It watches `watched`, a set its owner may keep too:
   * a server passes the set of its endpoints, so that one set, not two,
   * holds an entry per connection ({@link Watchdog.add} and
   * {@link Watchdog.delete} of an item already there, or gone, are no-ops).
   */
  static for(limits: Required<RpcLimits>, watched: Set<Watched>): Watchdog | undefined {
    const period = Watchdog.#periodFor(limits);
    return period === undefined ? undefined : new Watchdog(period, watched);
  }

  /**
   * The watchdog every client whose `limits` give the same period shares:
   * one interval timer for all of a process's client connections instead of
   * one each (a timer per connection ticking every second was most of what a
   * held client connection cost). Its timer runs only while it watches some
   * (and until its next tick after the last is gone).
   */
  static shared(limits: Required<RpcLimits>): Watchdog | undefined {
    const period = Watchdog.#periodFor(limits);
    if (period === undefined) return undefined;
    let watchdog = Watchdog.#byPeriod.get(period);
    if (watchdog === undefined) {
      watchdog = new Watchdog(period, new Set());
      Watchdog.#byPeriod.set(period, watchdog);
    }
    return watchdog;
  }

  /** The shared watchdogs, by period (a handful at most: one per distinct shortest timeout). */
  static readonly #byPeriod = new Map<number, Watchdog>();

  /** The tick period for `limits`; `undefined` when no timeout is set. */
  static #periodFor(limits: Required<RpcLimits>): number | undefined {
    const shortest = Math.min(limits.messageTimeout, limits.idleTimeout);
    if (shortest === Number.POSITIVE_INFINITY) return undefined;
    return Math.min(1000, Math.max(10, Math.floor(shortest / 4)));
  }

  /** Starts watching `item`. */
  add(item: Watched): void {
    this.#watched.add(item);
    if (this.#timer === undefined) {
      this.#timer = setInterval(this.#tick, this.#period);
      // The connections keep the process alive, not their watchdog.
      this.#timer.unref();
    }
  }

  /**
   * Stops watching `item`. The timer, if nothing is left to watch, stops at
   * its next tick, not here: a process that connects and closes one
   * connection after another (a CLI, a health check) would otherwise create
   * and clear an interval timer per connection, which cost about as much as
   * the rest of the endpoint's setup. It is unref'd, so it never keeps the
   * process alive meanwhile.
   */
  delete(item: Watched): void {
    this.#watched.delete(item);
  }

  readonly #tick = () => {
    if (this.#watched.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    // The monotonic clock, not Date.now(): a wall clock set forward would
    // time out every connection at once, one set back none. Whole
    // milliseconds since the process started are small integers, which the
    // connections keep in their fields as they are (Date.now() is past 2^31,
    // so each connection kept a boxed number for it), and never 0, which
    // means "not yet" to them.
    const now = Math.ceil(performance.now());
    for (const item of this.#watched) item.checkTimeouts(now);
  };
}
