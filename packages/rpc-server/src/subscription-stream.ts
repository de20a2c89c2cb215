/**
 * The client side of subscriptions: `client.subscribe(topic, args)` in the
 * wire form `createSubscriptions` serves (go-ethereum's), read as an async
 * iterator with a bounded buffer.
 */
import { type Connection, isTransportError, TransportError } from '@localwire/transport';
import { RpcSubscriptionGapEvent } from './client-events.js';
import type { RequestOptions, RpcHandler } from './context.js';
import type { RpcParams } from './protocol.js';

/** How {@link RpcClient.subscribe} names its methods and how much it buffers. */
export interface SubscribeOptions extends RequestOptions {
  /**
   * Pushes held for a consumer that has not asked for them yet; one more
   * fails the iteration with a {@link SubscriptionOverflowError} (and
   * unsubscribes). A positive integer or `Infinity`. Default 1,000.
   */
  maxBuffered?: number;
  /** The server's subscribe method: params `[topic, ...args]`, result the id. Default `'subscribe'`. */
  subscribeMethod?: string;
  /** The server's unsubscribe method: params `[id]`. Default `'unsubscribe'`. */
  unsubscribeMethod?: string;
  /** The notification the server pushes, params `{ subscription, result }`. Default `'subscription'`. */
  notificationMethod?: string;
}

/**
 * A live subscription: iterate it (once) for each push's `result`, in the
 * order they came. `break` (or `return`) unsubscribes; so does
 * {@link RpcSubscription.unsubscribe}, which also ends the iteration.
 * The iteration fails with a `TransportError` coded `ECONNRESET` when the
 * connection closes (after yielding what had arrived), and with a
 * {@link SubscriptionOverflowError} when more than `maxBuffered` pushes wait
 * unread.
 */
export interface RpcSubscription<T = unknown> extends AsyncIterable<T> {
  /** The subscription id the server gave (after a reconnect, the new one). */
  readonly id: string;
  /**
   * Listens for `gap` ({@link RpcSubscriptionGapEvent}): a reconnecting
   * client subscribed again, and the pushes sent while it was disconnected
   * are lost.
   */
  addEventListener(
    type: 'gap',
    listener: (event: RpcSubscriptionGapEvent) => void,
    options?: Parameters<EventTarget['addEventListener']>[2],
  ): void;
  /** Removes a listener {@link RpcSubscription.addEventListener} added. */
  removeEventListener(
    type: 'gap',
    listener: (event: RpcSubscriptionGapEvent) => void,
    options?: Parameters<EventTarget['removeEventListener']>[2],
  ): void;
  /**
   * Ends the subscription (the iteration ends too) and resolves with the
   * server's answer to the unsubscribe call (`true` from `createSubscriptions`).
   * Calling it again returns the same promise. Rejects as `request` does
   * (`ECONNRESET` when the connection closed first, …).
   */
  unsubscribe(): Promise<boolean>;
}

/**
 * Why a subscription's iteration failed: its consumer fell behind, and more
 * than `maxBuffered` pushes were waiting to be read. The subscription has
 * been unsubscribed; subscribe again (and read faster, or raise
 * `maxBuffered`) to carry on.
 */
export class SubscriptionOverflowError extends Error {
  /** Always `'SubscriptionOverflowError'`. */
  override name = 'SubscriptionOverflowError';
  /** Always `'ERR_SUBSCRIPTION_OVERFLOW'`. */
  readonly code = 'ERR_SUBSCRIPTION_OVERFLOW';
  /** The subscription's id. */
  readonly subscription: string;
  /** The `maxBuffered` it exceeded. */
  readonly limit: number;

  constructor(subscription: string, topic: string, limit: number, address: string) {
    super(
      `subscription ${subscription} to ${JSON.stringify(topic)} on ${address} had more than ${limit} pushes waiting unread (maxBuffered); it was unsubscribed — read faster or raise maxBuffered`,
    );
    this.subscription = subscription;
    this.limit = limit;
  }
}

/** What a subscription needs of its client. */
export interface SubscriptionHost {
  request(method: string, params?: RpcParams, options?: RequestOptions): Promise<unknown>;
  on(method: string, handler: RpcHandler): () => void;
  /** Aborts when the connection closes. */
  readonly signal: AbortSignal;
  /** The current connection: a new one after each reconnect. */
  readonly connection: Connection;
  /** `'reconnecting'` while the connection is down and the client reconnects. */
  readonly state: string;
}

const DEFAULT_MAX_BUFFERED = 1000;

/** @throws {RangeError} unless `value` is a positive integer or `Infinity`. */
function checkMaxBuffered(value: number): number {
  if ((Number.isInteger(value) && value > 0) || value === Number.POSITIVE_INFINITY) return value;
  throw Object.assign(
    new RangeError(`maxBuffered must be a positive integer or Infinity, got ${value}`),
    { code: 'ERR_OUT_OF_RANGE' },
  );
}

type Step<T> = { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void };

/** Read entries at the buffer's front kept before it is compacted (amortized: at most half of it). */
const COMPACT_AFTER = 1024;

const DONE: IteratorResult<never> = { done: true, value: undefined };

/**
 * One subscription's pushes, from the router to its single consumer. The
 * buffer grows only while the consumer is not waiting; an error ends it
 * once delivered (later `next()` calls are done).
 */
class SubscriptionStream<T> implements RpcSubscription<T>, AsyncIterator<T> {
  #id: string;
  /** The topic subscribed to, for error messages. */
  readonly topic: string;
  /** What the subscribe call sent, to send again after a reconnect. */
  readonly subscribed: {
    readonly method: string;
    readonly params: unknown[];
    readonly unsubscribeMethod: string;
  };
  /** The connection the server holds this subscription on. */
  connection: Connection;
  /** True while a subscribe call after a reconnect is on its way. */
  resubscribing = false;
  readonly #maxBuffered: number;
  readonly #address: string;
  readonly #sendUnsubscribe: (id: string) => Promise<boolean>;
  readonly #onEnd: (id: string) => void;
  #events: EventTarget | undefined;
  #buffer: T[] = [];
  #head = 0;
  readonly #waiting: Step<T>[] = [];
  /** The error to deliver after the buffer (a closed connection) or at once (an overflow). */
  #failure: unknown;
  #ended = false;
  #unsubscribed: Promise<boolean> | undefined;

  constructor(
    id: string,
    topic: string,
    subscribed: { method: string; params: unknown[]; unsubscribeMethod: string },
    connection: Connection,
    maxBuffered: number,
    address: string,
    sendUnsubscribe: (id: string) => Promise<boolean>,
    onEnd: (id: string) => void,
  ) {
    this.#id = id;
    this.topic = topic;
    this.subscribed = subscribed;
    this.connection = connection;
    this.#maxBuffered = maxBuffered;
    this.#address = address;
    this.#sendUnsubscribe = sendUnsubscribe;
    this.#onEnd = onEnd;
  }

  get id(): string {
    return this.#id;
  }

  /** True once the iteration is over (unsubscribed, failed or closed). */
  get ended(): boolean {
    return this.#ended;
  }

  addEventListener(
    type: 'gap',
    listener: (event: RpcSubscriptionGapEvent) => void,
    options?: Parameters<EventTarget['addEventListener']>[2],
  ): void {
    this.#events ??= new EventTarget();
    this.#events.addEventListener(type, listener as (event: Event) => void, options);
  }

  removeEventListener(
    type: 'gap',
    listener: (event: RpcSubscriptionGapEvent) => void,
    options?: Parameters<EventTarget['removeEventListener']>[2],
  ): void {
    this.#events?.removeEventListener(type, listener as (event: Event) => void, options);
  }

  /** Subscribed again on `connection` as `id`: the pushes from now on are the new subscription's. */
  renewed(id: string, connection: Connection): void {
    const previous = this.#id;
    this.#id = id;
    this.connection = connection;
    this.#events?.dispatchEvent(new RpcSubscriptionGapEvent(previous, id));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head++] as T;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#buffer.length) {
        // A consumer that keeps up but never empties the buffer: drop the read part.
        this.#buffer = this.#buffer.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      return Promise.reject(failure);
    }
    if (this.#ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** `break` out of a `for await`: unsubscribes; the server's answer is `unsubscribe()`'s to tell. */
  async return(): Promise<IteratorResult<T>> {
    await this.unsubscribe().catch(() => {});
    return DONE;
  }

  unsubscribe(): Promise<boolean> {
    if (this.#unsubscribed === undefined) {
      this.#finish(undefined);
      this.#unsubscribed = this.#sendUnsubscribe(this.#id);
    }
    return this.#unsubscribed;
  }

  /** A push for this subscription. */
  push(value: T): void {
    if (this.#ended) return;
    const step = this.#waiting.shift();
    if (step !== undefined) {
      step.resolve({ done: false, value });
      return;
    }
    this.#buffer.push(value);
    if (this.#buffer.length - this.#head > this.#maxBuffered) this.overflow();
  }

  /**
   * More than `maxBuffered` pushes wait: the iteration fails at once (what is
   * buffered is dropped: it is no longer the whole story) and the server is
   * told to stop.
   */
  overflow(): void {
    this.#buffer = [];
    this.#head = 0;
    this.#finish(
      new SubscriptionOverflowError(this.id, this.topic, this.#maxBuffered, this.#address),
    );
    // Whatever the server answers, the iteration has failed.
    this.#unsubscribed ??= this.#sendUnsubscribe(this.#id);
    this.#unsubscribed.catch(() => {});
  }

  /** The connection closed (or subscribing again failed): what has arrived is still read, then `error`. */
  closed(error: Error): void {
    this.#finish(error);
  }

  /** Ends the stream: waiting consumers get `failure` (or done), a buffer still drains first. */
  #finish(failure: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd(this.#id);
    if (failure === undefined) {
      // Unsubscribed: nothing more is read.
      this.#buffer = [];
      this.#head = 0;
    }
    const waiting = this.#waiting.splice(0);
    if (waiting.length === 0) {
      this.#failure = failure;
      return;
    }
    // Waiting consumers mean an empty buffer: the first gets the error, the rest are done.
    for (const [i, step] of waiting.entries()) {
      if (i === 0 && failure !== undefined) step.reject(failure);
      else step.resolve(DONE);
    }
  }
}

/** A push as `createSubscriptions` (and go-ethereum) sends it. */
interface Push {
  subscription: string;
  result: unknown;
}

function isPush(params: unknown): params is Push {
  return typeof (params as Push | null)?.subscription === 'string';
}

/**
 * The subscriptions of one client that share a notification method: routes
 * each push to its stream by id. While a subscribe call is outstanding,
 * pushes for ids not yet known are held: the server sends the id before the
 * first push, and both can arrive in one read, before the caller of
 * `subscribe` has run again to register the id — those pushes are the new
 * subscription's, and are handed to it as it registers.
 */
class SubscriptionRouter {
  readonly #streams = new Map<string, SubscriptionStream<unknown>>();
  /** Subscribe calls sent whose stream is not registered yet. */
  #pending = 0;
  /** The sum of their finite `maxBuffered`: at most this many pushes are held for them… */
  #holdLimit = 0;
  /** …unless some of them have no limit. */
  #unbounded = 0;
  /** Pushes for unknown ids, held while a subscribe is pending, in the order they came. */
  #held: Push[] = [];
  /** Ids that had held pushes dropped for want of room: their streams start overflowed. */
  readonly #overflowed = new Set<string>();

  /** The notification handler. */
  readonly receive = (params: unknown): void => {
    // Not a push: nothing to route it to.
    if (!isPush(params)) return;
    const stream = this.#streams.get(params.subscription);
    if (stream !== undefined) {
      stream.push(params.result);
    } else if (this.#pending > 0) {
      this.#held.push(params);
      if (this.#unbounded === 0 && this.#held.length > this.#holdLimit) {
        this.#overflowed.add(this.#held.shift()!.subscription);
      }
    }
    // Else a late push for a subscription that has ended: dropped.
  };

  /** A subscribe call goes out, whose stream may buffer `maxBuffered`. */
  expect(maxBuffered: number): void {
    this.#pending++;
    if (maxBuffered === Number.POSITIVE_INFINITY) this.#unbounded++;
    else this.#holdLimit += maxBuffered;
  }

  /** A subscribe call that {@link expect} announced is done (failed, or its stream registered). */
  settle(maxBuffered: number): void {
    if (maxBuffered === Number.POSITIVE_INFINITY) this.#unbounded--;
    else this.#holdLimit -= maxBuffered;
    if (--this.#pending === 0) {
      this.#held = [];
      this.#overflowed.clear();
    }
  }

  /** Registers the stream a subscribe call made, handing it the pushes held for it. */
  register(stream: SubscriptionStream<unknown>): void {
    this.#streams.set(stream.id, stream);
    const mine = this.#held.filter((push) => push.subscription === stream.id);
    if (mine.length > 0) this.#held = this.#held.filter((push) => push.subscription !== stream.id);
    for (const push of mine) stream.push(push.result);
    // Pushes of its were dropped before it registered: more came than it may buffer.
    if (this.#overflowed.delete(stream.id)) stream.overflow();
  }

  delete(id: string): void {
    this.#streams.delete(id);
  }

  /** The streams subscribed now. */
  streams(): IterableIterator<SubscriptionStream<unknown>> {
    return this.#streams.values();
  }

  /** The connection closed: every stream ends with `error(id, topic)`. */
  closeAll(error: (stream: SubscriptionStream<unknown>) => TransportError): void {
    for (const stream of [...this.#streams.values()]) stream.closed(error(stream));
  }
}

/**
 * A client's subscriptions: one {@link SubscriptionRouter} per notification
 * method, installed as that method's handler on the first subscribe that
 * uses it. Costs nothing until then.
 */
export class Subscriber {
  readonly #host: SubscriptionHost;
  readonly #address: string;
  readonly #routers = new Map<string, SubscriptionRouter>();
  /** Each live stream's `maxBuffered`, for subscribing again after a reconnect. */
  readonly #maxBuffered = new Map<SubscriptionStream<unknown>, number>();

  constructor(host: SubscriptionHost, address: string) {
    this.#host = host;
    this.#address = address;
  }

  /** Subscribes to `topic` with `args`; see {@link RpcClient.subscribe}. */
  async subscribe(
    topic: string,
    args: readonly unknown[] = [],
    options: SubscribeOptions = {},
  ): Promise<RpcSubscription<unknown>> {
    const {
      maxBuffered = DEFAULT_MAX_BUFFERED,
      subscribeMethod = 'subscribe',
      unsubscribeMethod = 'unsubscribe',
      notificationMethod = 'subscription',
      timeout,
      signal,
    } = options;
    checkMaxBuffered(maxBuffered);
    const host = this.#host;
    const router = this.#router(notificationMethod);
    // Held from before the call goes out: the first pushes can come with its answer.
    router.expect(maxBuffered);
    let answer: unknown;
    try {
      answer = await host.request(subscribeMethod, [topic, ...args], { timeout, signal });
    } catch (error) {
      router.settle(maxBuffered);
      throw error;
    }
    if (typeof answer !== 'string') {
      router.settle(maxBuffered);
      throw new TypeError(
        `the answer to ${subscribeMethod} ${JSON.stringify(topic)} from ${this.#address} is not a subscription id (a string): ${JSON.stringify(answer)}`,
      );
    }
    const stream: SubscriptionStream<unknown> = new SubscriptionStream<unknown>(
      answer,
      topic,
      { method: subscribeMethod, params: [topic, ...args], unsubscribeMethod },
      host.connection,
      maxBuffered,
      this.#address,
      (id): Promise<boolean> =>
        // Its connection dropped and the client reconnects: the server ended it with that connection.
        host.state === 'reconnecting' || stream.connection !== host.connection
          ? Promise.resolve(true)
          : (host.request(unsubscribeMethod, [id], { timeout }) as Promise<boolean>),
      (id) => {
        router.delete(id);
        this.#maxBuffered.delete(stream);
      },
    );
    this.#maxBuffered.set(stream, maxBuffered);
    router.register(stream);
    router.settle(maxBuffered);
    // The connection may have closed as the answer came: then it ends at once.
    if (host.signal.aborted) stream.closed(this.#closedError(stream.id, topic));
    return stream;
  }

  /**
   * The client has reconnected: each live subscription is subscribed again
   * on the new connection, under a new id (its `gap` event says so). One
   * the server now refuses ends with that error; one whose call the next
   * drop fails waits for the reconnect after.
   */
  reconnected(): void {
    const host = this.#host;
    for (const router of this.#routers.values()) {
      for (const stream of [...router.streams()]) {
        if (stream.resubscribing || stream.connection === host.connection) continue;
        this.#resubscribe(router, stream);
      }
    }
  }

  #resubscribe(router: SubscriptionRouter, stream: SubscriptionStream<unknown>): void {
    const host = this.#host;
    const maxBuffered = this.#maxBuffered.get(stream) ?? DEFAULT_MAX_BUFFERED;
    const connection = host.connection;
    stream.resubscribing = true;
    router.expect(maxBuffered);
    host.request(stream.subscribed.method, stream.subscribed.params).then(
      (answer) => {
        stream.resubscribing = false;
        if (typeof answer !== 'string') {
          stream.closed(
            new TypeError(
              `the answer to ${stream.subscribed.method} ${JSON.stringify(stream.topic)} from ${this.#address} after reconnecting is not a subscription id (a string): ${JSON.stringify(answer)}`,
            ),
          );
        } else if (stream.ended) {
          // Unsubscribed while this call was on its way: end the new one too.
          host.request(stream.subscribed.unsubscribeMethod, [answer]).catch(() => {});
        } else {
          router.delete(stream.id);
          stream.renewed(answer, connection);
          router.register(stream);
        }
        router.settle(maxBuffered);
      },
      (error: unknown) => {
        stream.resubscribing = false;
        router.settle(maxBuffered);
        // Dropped again: the next reconnect subscribes it again.
        if (isTransportError(error, 'ECONNRESET') && !host.signal.aborted) return;
        stream.closed(error as Error);
      },
    );
  }

  #router(notificationMethod: string): SubscriptionRouter {
    let router = this.#routers.get(notificationMethod);
    if (router === undefined) {
      const made = new SubscriptionRouter();
      router = made;
      this.#routers.set(notificationMethod, made);
      this.#host.on(notificationMethod, made.receive);
      if (this.#routers.size === 1) {
        this.#host.signal.addEventListener('abort', () => {
          for (const r of this.#routers.values()) {
            r.closeAll((stream) => this.#closedError(stream.id, stream.topic));
          }
        });
      }
    }
    return router;
  }

  #closedError(id: string, topic: string): TransportError {
    const reason: unknown = this.#host.signal.reason;
    const cause = reason instanceof Error && reason.name !== 'AbortError' ? reason : undefined;
    return new TransportError(
      'ECONNRESET',
      `the connection to ${this.#address} closed; subscription ${id} to ${JSON.stringify(topic)} ended`,
      { address: this.#address, cause },
    );
  }
}
