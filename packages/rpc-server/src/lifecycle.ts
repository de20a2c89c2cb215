/**
 * Where one connection's endpoint is in its life. Phases only move forward,
 * so each question about the connection is one comparison:
 *
 * ```
 * Reading ─(peer ends)→ PeerEnded ─(decoder drained)→ InputDone ─(nothing in flight)→ Ended ─→ Closed
 *    └──────────(close(), a fatal framing error, a timeout)──↑                               ↑
 * any phase ─────────────────────────────(the connection closes)───────────────────────────┘
 * ```
 */
export const Phase = {
  /** Taking messages from the peer. */
  Reading: 0,
  /** The peer has ended its side: what the decoder holds is all there is, and is still taken. */
  PeerEnded: 1,
  /** No more messages will be taken; requests in flight are finishing. */
  InputDone: 2,
  /** This side has ended the connection (nothing more is written) and waits for it to close. */
  Ended: 3,
  /** The connection has closed. */
  Closed: 4,
} as const;

/** One of {@link Phase}. */
export type Phase = (typeof Phase)[keyof typeof Phase];

/**
 * The phase of one endpoint, shared by its inbound side and the endpoint
 * itself: the endpoint extends it, so a connection costs no object for it.
 */
export class Lifecycle {
  #phase: Phase = Phase.Reading;

  /** The current phase. */
  get phase(): Phase {
    return this.#phase;
  }

  /** True while messages are still taken from the peer. */
  get reading(): boolean {
    return this.#phase < Phase.InputDone;
  }

  /** True once this side has ended (or the connection closed): nothing more is written. */
  get ending(): boolean {
    return this.#phase >= Phase.Ended;
  }

  /** True once the connection has closed. */
  get hasClosed(): boolean {
    return this.#phase === Phase.Closed;
  }

  /** Moves on to `phase`; a phase already passed is kept (phases never go back). */
  advance(phase: Phase): void {
    if (phase > this.#phase) this.#phase = phase;
  }
}
