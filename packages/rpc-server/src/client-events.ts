/** The events a client (and a subscription) dispatches as its connection comes and goes. */

/**
 * Where a client is: `'open'` (connected), `'reconnecting'` (the connection
 * dropped; new calls wait, see `whileDisconnected`), `'closed'` (for good;
 * see {@link RpcCloseReason}).
 */
export type RpcClientState = 'open' | 'reconnecting' | 'closed';

/**
 * Why a client closed for good:
 * - `'close'`: its own `close()` (`error` is undefined);
 * - `'disconnected'`: the server went away, and reconnect is off or gave up
 *   after `maxAttempts` (`error`: the drop's `ECONNRESET`, or the last
 *   attempt's connect error);
 * - `'refused'`: the server refused this client (its `authorize` said no), or
 *   a reconnect attempt failed in a way no wait fixes — `EACCES` (an owner
 *   check that failed: another user's server at the address), `EINVAL`…
 *   (`error`: that error);
 * - `'protocol'`: the server sent what cannot be read (another codec, say;
 *   `error`: the `FramingError`).
 */
export interface RpcCloseReason {
  /** What ended the client. */
  readonly kind: 'close' | 'disconnected' | 'refused' | 'protocol';
  /** The error behind it; undefined for `'close'`. */
  readonly error: Error | undefined;
}

/** `statechange`: the client's {@link RpcClientState} changed. */
export class RpcStateChangeEvent extends Event {
  /** The state it is in now. */
  readonly state: RpcClientState;
  /** The state it was in. */
  readonly previous: RpcClientState;
  /**
   * Entering `'reconnecting'`: the error of the connection that dropped;
   * entering `'closed'`: {@link RpcCloseReason.error}; else undefined.
   */
  readonly error: Error | undefined;
  /** Entering `'closed'`: why; else undefined. */
  readonly reason: RpcCloseReason | undefined;

  constructor(
    state: RpcClientState,
    previous: RpcClientState,
    error: Error | undefined,
    reason: RpcCloseReason | undefined,
  ) {
    super('statechange');
    this.state = state;
    this.previous = previous;
    this.error = error;
    this.reason = reason;
  }
}

/** `reconnected`: a reconnecting client has a connection again (it is `'open'`). */
export class RpcReconnectedEvent extends Event {
  /** The attempts it took, this one included (1: the first attempt made it). */
  readonly attempts: number;

  constructor(attempts: number) {
    super('reconnected');
    this.attempts = attempts;
  }
}

/**
 * `gap` (on an `RpcSubscription`): the client reconnected and subscribed
 * again. The pushes the server sent between the drop and the new
 * subscription are lost; re-read what they would have told (the latest
 * state) if that matters.
 */
export class RpcSubscriptionGapEvent extends Event {
  /** The id the subscription had on the connection that dropped. */
  readonly previousId: string;
  /** Its id now (the subscription's `id` is this one from now on). */
  readonly id: string;

  constructor(previousId: string, id: string) {
    super('gap');
    this.previousId = previousId;
    this.id = id;
  }
}

/** The events of a client, by type. */
export interface RpcClientEventMap {
  /** The state changed. */
  statechange: RpcStateChangeEvent;
  /** A reconnect succeeded. */
  reconnected: RpcReconnectedEvent;
}
