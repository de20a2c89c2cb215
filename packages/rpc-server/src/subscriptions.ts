import { randomBytes } from 'node:crypto';
import type { Connection } from '@localwire/transport';
import type { RpcContext, RpcMethods } from './context.js';
import { RpcError, RpcErrorCode } from './errors.js';

/** How {@link createSubscriptions} names its methods and which topics it offers. */
export interface SubscriptionsOptions {
  /** The method clients call to subscribe: params `[topic, ...args]`, result the subscription id. Default `'subscribe'`. */
  subscribeMethod?: string;
  /** The method clients call to unsubscribe: params `[id]`, result `true` or `false`. Default `'unsubscribe'`. */
  unsubscribeMethod?: string;
  /** The notification pushed with params `{ subscription, result }`. Default `'subscription'`. */
  notificationMethod?: string;
  /** The topics clients may subscribe to; others are refused with `-32602`. Default: any. */
  topics?: readonly string[];
  /**
   * Called as each subscription starts, before its id is returned: start its
   * source here (a timer, a watcher) and return what stops it, which is called
   * once when the subscription ends (unsubscribed, or its connection closed).
   * Throw (an {@link RpcError} such as `-32602` for bad args) to refuse it.
   */
  onSubscribe?: (subscription: Subscription) => (() => void) | undefined;
}

/** One client's subscription to a topic. */
export interface Subscription {
  /** Its id, as returned to the client: `0x` and 32 hex digits. */
  readonly id: string;
  /** The topic (the first subscribe param). */
  readonly topic: string;
  /** The other subscribe params (a filter, say). */
  readonly args: readonly unknown[];
  /**
   * The context of the subscribe call: its `connection` is the subscriber's,
   * and its `notify` pushes to it (after the call, too).
   */
  readonly context: RpcContext;
}

/** Subscribe/unsubscribe methods and a way to push to subscribers. */
export interface Subscriptions {
  /** The subscribe and unsubscribe methods, to spread into a server's `methods`. */
  readonly methods: RpcMethods;
  /** Pushes `result` to every subscriber of `topic`; returns how many there were. */
  publish(topic: string, result: unknown): number;
  /** Pushes `result` to one subscription (when each has its own filter, say). */
  send(subscription: Subscription, result: unknown): void;
  /** The current subscriptions to `topic`. */
  subscribers(topic: string): Subscription[];
}

function invalidParams(message: string): RpcError {
  return new RpcError(RpcErrorCode.InvalidParams, `Invalid params: ${message}`);
}

function limitExceeded(message: string): RpcError {
  return new RpcError(RpcErrorCode.LimitExceeded, `Limit exceeded: ${message}`);
}

/** The size of `args` as JSON, in bytes. */
function argsSize(args: readonly unknown[]): number {
  return args.length === 0 ? 0 : Buffer.byteLength(JSON.stringify(args));
}

/**
 * Subscriptions in go-ethereum's shape: a subscribe method that returns an id,
 * an unsubscribe method, and pushes as notifications with params
 * `{ subscription, result }`. A connection's subscriptions end when it closes.
 * Each connection may hold at most `limits.maxSubscriptions` (default 1,000),
 * each keeping args of at most `limits.maxSubscriptionArgsSize` bytes of JSON
 * (default 16 KiB); a subscribe over either fails with `-32005 Limit exceeded`.
 * For ethers' `IpcSocketProvider`, name them `eth_subscribe`,
 * `eth_unsubscribe` and `eth_subscription`.
 */
export function createSubscriptions(options: SubscriptionsOptions = {}): Subscriptions {
  const {
    subscribeMethod = 'subscribe',
    unsubscribeMethod = 'unsubscribe',
    notificationMethod = 'subscription',
    topics,
    onSubscribe,
  } = options;
  const allowed = topics === undefined ? undefined : new Set(topics);
  const byId = new Map<string, Subscription>();
  const byTopic = new Map<string, Set<Subscription>>();
  // By connection, not by context: each call has its own context.
  const byConnection = new WeakMap<Connection, Set<Subscription>>();
  const stops = new Map<Subscription, () => void>();

  const remove = (subscription: Subscription) => {
    const stop = stops.get(subscription);
    stops.delete(subscription);
    stop?.();
    byId.delete(subscription.id);
    const set = byTopic.get(subscription.topic);
    set?.delete(subscription);
    if (set?.size === 0) byTopic.delete(subscription.topic);
    byConnection.get(subscription.context.connection)?.delete(subscription);
  };

  const subscribe = (params: unknown, context: RpcContext): string => {
    if (!Array.isArray(params) || typeof params[0] !== 'string') {
      throw invalidParams('expected [topic, ...args] with a string topic');
    }
    const [topic, ...args] = params as [string, ...unknown[]];
    if (allowed !== undefined && !allowed.has(topic)) {
      throw invalidParams(`unknown subscription topic ${JSON.stringify(topic)}`);
    }
    const { connection } = context;
    if (connection.destroyed) throw new RpcError(RpcErrorCode.InternalError, 'connection closed');
    const { maxSubscriptions, maxSubscriptionArgsSize } = context.limits;
    const held = byConnection.get(connection)?.size ?? 0;
    if (held >= maxSubscriptions) {
      throw limitExceeded(
        `this connection holds ${held} subscriptions, the most limits.maxSubscriptions allows; unsubscribe first`,
      );
    }
    const size = argsSize(args);
    if (size > maxSubscriptionArgsSize) {
      throw limitExceeded(
        `the subscription's args are ${size} bytes of JSON, over the limit of ${maxSubscriptionArgsSize} (limits.maxSubscriptionArgsSize)`,
      );
    }
    const subscription: Subscription = {
      id: `0x${randomBytes(16).toString('hex')}`,
      topic,
      args,
      context,
    };
    byId.set(subscription.id, subscription);
    const topicSet = byTopic.get(topic) ?? new Set();
    byTopic.set(topic, topicSet);
    topicSet.add(subscription);
    let own = byConnection.get(connection);
    if (own === undefined) {
      const mine = new Set<Subscription>();
      byConnection.set(connection, mine);
      connection.once('close', () => {
        for (const s of mine) remove(s);
      });
      own = mine;
    }
    own.add(subscription);
    try {
      const stop = onSubscribe?.(subscription);
      if (stop !== undefined) stops.set(subscription, stop);
    } catch (err) {
      remove(subscription);
      throw err;
    }
    return subscription.id;
  };

  const unsubscribe = (params: unknown, context: RpcContext): boolean => {
    if (!Array.isArray(params) || typeof params[0] !== 'string') {
      throw invalidParams('expected [subscriptionId]');
    }
    const subscription = byId.get(params[0]);
    if (subscription === undefined || subscription.context.connection !== context.connection) {
      return false;
    }
    remove(subscription);
    return true;
  };

  const send = (subscription: Subscription, result: unknown) => {
    subscription.context.notify(notificationMethod, { subscription: subscription.id, result });
  };

  return {
    methods: { [subscribeMethod]: subscribe, [unsubscribeMethod]: unsubscribe },
    publish(topic, result) {
      const set = byTopic.get(topic);
      if (set === undefined) return 0;
      for (const subscription of set) send(subscription, result);
      return set.size;
    },
    send,
    subscribers(topic) {
      return [...(byTopic.get(topic) ?? [])];
    },
  };
}
