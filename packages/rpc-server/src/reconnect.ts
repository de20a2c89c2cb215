/**
 * A client's link to its server across connections: which connection is
 * current, the client's state and why it closed, and — with `reconnect` —
 * getting a new connection with backoff, holding calls until then, and
 * sending idempotent calls again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Connection,
  type ConnectOptions,
  isTransportError,
  type Transport,
  TransportError,
} from '@localwire/transport';
import { createDeadline } from '@localwire/transport/author';
import { type Backoff, isRetryable } from './backoff.js';
import { CallQueue } from './call-queue.js';
import {
  type RpcClientState,
  type RpcCloseReason,
  RpcReconnectedEvent,
  RpcStateChangeEvent,
} from './client-events.js';
import type { RequestOptions } from './context.js';
import type { Endpoint } from './endpoint.js';
import { describeRequest, type RequestLabel } from './outgoing.js';

/** A connect error after `attempts` attempts. */
class AttemptsFailed extends Error {
  constructor(
    readonly error: unknown,
    readonly attempts: number,
  ) {
    super('connect failed');
  }
}

/**
 * Connects with `connect(signal)` until it works, waiting `backoff` between
 * attempts, while errors are {@link isRetryable} and attempts remain; stops
 * when `signal` aborts. Resolves with the connection and the attempts made.
 * @throws {AttemptsFailed} with the last error
 */
async function connectWithBackoff(
  connect: (signal: AbortSignal | undefined) => Promise<Connection>,
  backoff: Backoff,
  signal: AbortSignal | undefined,
): Promise<{ connection: Connection; attempts: number }> {
  for (let attempts = 1; ; attempts++) {
    try {
      return { connection: await connect(signal), attempts };
    } catch (error) {
      if (signal?.aborted || !isRetryable(error) || attempts >= backoff.maxAttempts) {
        throw new AttemptsFailed(error, attempts);
      }
    }
    try {
      await sleep(backoff.delay(attempts), undefined, { signal });
    } catch {
      // Aborted while waiting: the next attempt fails at once with the abort.
    }
  }
}

/**
 * The first connect of `waitForServer`: retried as a reconnect is, until the
 * server is there, bounded by `options.timeout`/`signal` as one connect is.
 * @throws {TransportError} the first error that is not retryable, or
 *   `ETIMEDOUT`/`ABORT_ERR` (naming the last retryable error)
 */
export async function waitForServer<C extends ConnectOptions>(
  transport: Transport,
  address: string,
  options: C | undefined,
  backoff: Backoff,
): Promise<Connection> {
  const { timeout: _timeout, signal: _signal, ...rest } = options ?? ({} as C);
  const deadline = createDeadline(address, options);
  try {
    const { connection } = await connectWithBackoff(
      (signal) => transport.connect(address, { ...rest, signal }),
      backoff,
      deadline.signal,
    );
    return connection;
  } catch (error) {
    const failed = error as AttemptsFailed;
    if (!deadline.signal?.aborted) throw failed.error;
    const expired = deadline.error();
    const last = failed.error as Error;
    throw new TransportError(
      expired.code,
      `${expired.message}: waited for the server (waitForServer) through ${failed.attempts} attempts; the last: ${last.message}`,
      { address, cause: last },
    );
  } finally {
    deadline.dispose();
  }
}

/** What a {@link Link} needs from its client. */
export interface LinkOptions {
  transport: Transport;
  address: string;
  /** The transport's connect options; a reconnect attempt takes all but `timeout` and `signal`. */
  connect: ConnectOptions | undefined;
  /** How to reconnect; undefined: the first drop closes the client. */
  backoff: Backoff | undefined;
  /** Most calls waiting for a connection. */
  maxQueued: number;
  /** What a call made while reconnecting does by default. */
  whileDisconnected: 'queue' | 'reject';
  /** The client's default request timeout. */
  requestTimeout: number | undefined;
  /** Serves a new connection; the endpoint's `onClosed` must call {@link Link.lost}. */
  endpoint(connection: Connection): Endpoint;
  /**
   * Dispatches the event `make()` returns, if anyone listens: made only then
   * (an `Event` costs a timestamp and more; most clients have no listener).
   */
  emit(make: () => Event): void;
  /** Told when a reconnect has succeeded, after the queued calls were sent. */
  restored(): void;
}

/** Sends one call (a request, a batch) on `endpoint`. */
export type Send<T> = (endpoint: Endpoint, options: RequestOptions | undefined) => Promise<T>;

/**
 * The current connection of a client and its state. Without `reconnect` a
 * call goes straight to the one endpoint, as it always has; with it, a call
 * made while reconnecting waits in a {@link CallQueue}, and one marked
 * `idempotent` that the drop failed waits there too, to be sent again.
 */
export class Link {
  readonly #options: LinkOptions;
  #endpoint: Endpoint;
  #state: RpcClientState = 'open';
  #closeReason: RpcCloseReason | undefined;
  #closing = false;
  /** Behind {@link Link.signal}; made when first read (it is an EventTarget, costly per connection). */
  #abort: AbortController | undefined;
  /** Aborts the reconnect loop; made as it starts. */
  #retry: AbortController | undefined;
  /** The calls waiting for a connection; made on the first (only a reconnecting client has any). */
  #queue: CallQueue | undefined;
  /** Resolves once the client is closed for good; made by the first {@link Link.close}. */
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;

  constructor(endpoint: Endpoint, options: LinkOptions) {
    this.#options = options;
    this.#endpoint = endpoint;
  }

  /** The current connection's endpoint (while reconnecting, the one that dropped). */
  get endpoint(): Endpoint {
    return this.#endpoint;
  }

  get state(): RpcClientState {
    return this.#state;
  }

  get closeReason(): RpcCloseReason | undefined {
    return this.#closeReason;
  }

  /** Aborts once the client is closed for good, with {@link RpcCloseReason.error}. */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#state === 'closed') this.#abort.abort(this.#closeReason?.error);
    }
    return this.#abort.signal;
  }

  /**
   * The endpoint to send a call with `options` to as it is — no reconnect,
   * closed for good, or open and the call not idempotent — else undefined
   * (then {@link Link.call}). The hot path: it allocates nothing.
   */
  direct(options: RequestOptions | undefined): Endpoint | undefined {
    const endpoint = this.#endpoint;
    if (this.#options.backoff === undefined || this.#state === 'closed') return endpoint;
    return this.#state === 'open' && endpoint.accepting && options?.idempotent !== true
      ? endpoint
      : undefined;
  }

  /** Sends a call now, or once connected again; see {@link Link}. */
  call<T>(label: RequestLabel, options: RequestOptions | undefined, send: Send<T>): Promise<T> {
    const endpoint = this.#endpoint;
    const backoff = this.#options.backoff;
    if (backoff === undefined || this.#state === 'closed') return send(endpoint, options);
    if (this.#state === 'open' && endpoint.accepting) {
      const sent = send(endpoint, options);
      return options?.idempotent ? this.#againOnDrop(sent, label, options, send) : sent;
    }
    return this.#wait(label, options, send);
  }

  /** Closes for good: stops reconnecting, fails the queued calls, closes the connection. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#state === 'reconnecting') {
      this.#retry?.abort();
      this.#end({ kind: 'close', error: undefined });
    } else if (this.#state === 'open') {
      await this.#endpoint.close('the client closed the connection');
    }
    this.#closed ??=
      this.#state === 'closed'
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.#resolveClosed = resolve;
          });
    return this.#closed;
  }

  /** Queues a call until connected, bounded by its timeout (what is left of it) and signal. */
  #wait<T>(label: RequestLabel, options: RequestOptions | undefined, send: Send<T>): Promise<T> {
    const address = this.#options.address;
    if ((options?.whileDisconnected ?? this.#options.whileDisconnected) === 'reject') {
      return Promise.reject(
        new TransportError(
          'ECONNRESET',
          `the connection to ${address} is down (the client is reconnecting); ${describeRequest(label)} was not sent (whileDisconnected: 'reject')`,
          { address },
        ),
      );
    }
    const timeout = options?.timeout ?? this.#options.requestTimeout;
    const start = timeout === undefined ? 0 : performance.now();
    this.#queue ??= new CallQueue(this.#options.address, this.#options.maxQueued);
    return this.#queue.wait(label, timeout, options?.signal, () => {
      // Sent with what is left of its timeout (at least 1 ms: it has not run out yet).
      const left =
        timeout === undefined
          ? undefined
          : Math.max(1, Math.ceil(timeout - (performance.now() - start)));
      return this.call(label, { ...options, timeout: left }, send);
    });
  }

  /** An idempotent call the drop failed with `ECONNRESET` waits to be sent again. */
  #againOnDrop<T>(
    sent: Promise<T>,
    label: RequestLabel,
    options: RequestOptions,
    send: Send<T>,
  ): Promise<T> {
    const timeout = options.timeout ?? this.#options.requestTimeout;
    const start = timeout === undefined ? 0 : performance.now();
    return sent.catch((error: unknown) => {
      if (!isTransportError(error, 'ECONNRESET') || this.#closing || this.#state === 'closed') {
        throw error;
      }
      const left = timeout === undefined ? undefined : timeout - (performance.now() - start);
      if (left !== undefined && left <= 0) throw error;
      return this.#wait(label, { ...options, timeout: left, whileDisconnected: 'queue' }, send);
    });
  }

  /**
   * Told (by its `onClosed`) that the connection of `endpoint` has closed.
   * Handled a turn later, as a reaction to the endpoint's `closed` promise
   * would be: the callers whose requests the close failed hear of it before
   * the state changes, and no promise is made per connection to learn it.
   */
  lost(endpoint: Endpoint): void {
    queueMicrotask(() => this.#lost(endpoint));
  }

  /** The connection of `endpoint` closed: reconnect, or close for good and say why. */
  #lost(endpoint: Endpoint): void {
    if (endpoint !== this.#endpoint || this.#state === 'closed') return;
    const address = this.#options.address;
    if (this.#closing) {
      this.#end({ kind: 'close', error: undefined });
      return;
    }
    const failure = endpoint.failure;
    if (failure?.kind === 'refused') {
      this.#end({
        kind: 'refused',
        error: new TransportError('EACCES', failure.message, { address }),
      });
      return;
    }
    if (failure?.kind === 'protocol') {
      this.#end({ kind: 'protocol', error: failure.error });
      return;
    }
    const dropped = new TransportError('ECONNRESET', `the connection to ${address} closed`, {
      address,
      cause: endpoint.connectionError,
    });
    const backoff = this.#options.backoff;
    if (backoff === undefined) {
      this.#end({ kind: 'disconnected', error: dropped });
      return;
    }
    this.#setState('reconnecting', dropped, undefined);
    void this.#reconnect(backoff);
  }

  async #reconnect(backoff: Backoff): Promise<void> {
    const { transport, address, connect } = this.#options;
    const { timeout: _timeout, signal: _signal, ...rest } = connect ?? {};
    const retry = new AbortController();
    this.#retry = retry;
    let connected: { connection: Connection; attempts: number };
    try {
      connected = await connectWithBackoff(
        (signal) => transport.connect(address, { ...rest, signal }),
        backoff,
        retry.signal,
      );
    } catch (error) {
      if (this.#closing) return;
      const { error: last, attempts } = error as AttemptsFailed;
      const lastError = last instanceof Error ? last : new Error(String(last));
      this.#end(
        isRetryable(last)
          ? {
              kind: 'disconnected',
              error: new TransportError(
                'ECONNRESET',
                `gave up reconnecting to ${address} after ${attempts} attempts (reconnect.maxAttempts); the last: ${lastError.message}`,
                { address, cause: lastError },
              ),
            }
          : { kind: 'refused', error: lastError },
      );
      return;
    } finally {
      this.#retry = undefined;
    }
    if (this.#closing) {
      connected.connection.destroy();
      return;
    }
    const endpoint = this.#options.endpoint(connected.connection);
    this.#endpoint = endpoint;
    this.#setState('open', undefined, undefined);
    this.#options.emit(() => new RpcReconnectedEvent(connected.attempts));
    this.#queue?.flush();
    this.#options.restored();
  }

  /** Closed for good: queued calls fail, `signal` aborts, `statechange` says why. */
  #end(reason: RpcCloseReason): void {
    if (this.#state === 'closed') return;
    this.#closeReason = reason;
    const address = this.#options.address;
    const error = reason.error;
    this.#queue?.failAll((label) =>
      error !== undefined && reason.kind === 'refused' && isTransportError(error, 'EACCES')
        ? new TransportError('EACCES', `${error.message}; ${describeRequest(label)} was not sent`, {
            address,
            cause: error,
          })
        : new TransportError(
            'ECONNRESET',
            `${reason.kind === 'close' ? 'the client closed the connection' : (error?.message ?? 'the connection closed')}; ${describeRequest(label)} was not sent`,
            { address, cause: error },
          ),
    );
    this.#setState('closed', error, reason);
    this.#abort?.abort(error);
    this.#resolveClosed?.();
  }

  #setState(
    state: RpcClientState,
    error: Error | undefined,
    reason: RpcCloseReason | undefined,
  ): void {
    const previous = this.#state;
    this.#state = state;
    this.#options.emit(() => new RpcStateChangeEvent(state, previous, error, reason));
  }
}
