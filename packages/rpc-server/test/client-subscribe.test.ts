import { isTransportError } from '@localwire/transport';
import { describe, expect, it } from 'vitest';
import {
  connectRpc,
  createSubscriptions,
  type RpcClient,
  RpcErrorCode,
  type Subscription,
  SubscriptionOverflowError,
  type SubscriptionsOptions,
} from '../src/index.js';
import { startServer, until } from './helpers/rpc.js';
import { transport } from './helpers/transport.js';

/** A server serving `createSubscriptions(options)`, and a client of it. */
async function setup(options: SubscriptionsOptions = {}) {
  const subscriptions = createSubscriptions(options);
  const { address } = await startServer({ methods: subscriptions.methods });
  const client = await connectRpc(transport, address);
  return { subscriptions, client, address };
}

/** Everything `iterable` yields until it ends, and the error it ends with, if any. */
async function drain<T>(iterable: AsyncIterable<T>): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  try {
    for await (const value of iterable) values.push(value);
  } catch (error) {
    return { values, error };
  }
  return { values, error: undefined };
}

/** The one subscription to `topic` on the server, once the subscribe has been served. */
function only(subscriptions: ReturnType<typeof createSubscriptions>, topic: string): Subscription {
  const [subscription, ...others] = subscriptions.subscribers(topic);
  if (subscription === undefined || others.length > 0) {
    throw new Error(`expected one subscription to ${topic}`);
  }
  return subscription;
}

describe('client.subscribe', () => {
  it('yields each push’s result in order; break unsubscribes', async () => {
    const { subscriptions, client } = await setup();
    const ticks = await client.subscribe('ticks', [100]);
    expect(ticks.id).toMatch(/^0x[0-9a-f]{32}$/);
    const subscription = only(subscriptions, 'ticks');
    expect(subscription.id).toBe(ticks.id);
    expect(subscription.args).toEqual([100]);
    for (let n = 1; n <= 5; n++) subscriptions.publish('ticks', { n });

    const seen: unknown[] = [];
    for await (const tick of ticks) {
      seen.push(tick);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    // `break` waits for the unsubscribe answer: the server has let go already.
    expect(subscriptions.subscribers('ticks')).toEqual([]);
    expect(await ticks.unsubscribe()).toBe(true);
    // Iterating an ended subscription ends at once.
    expect(await drain(ticks)).toEqual({ values: [], error: undefined });
  });

  it('keeps the pushes that come right behind the subscribe answer', async () => {
    const subscriptions = createSubscriptions({
      // Pushed as soon as the answer (written synchronously) is out: same read, most likely.
      onSubscribe: (subscription) => {
        queueMicrotask(() => {
          for (let n = 1; n <= 50; n++) subscriptions.send(subscription, n);
        });
        return undefined;
      },
    });
    const { address } = await startServer({ methods: subscriptions.methods });
    const client = await connectRpc(transport, address);
    const [a, b] = await Promise.all([
      client.subscribe('ticks', [], { maxBuffered: 50 }),
      client.subscribe('ticks', [], { maxBuffered: 50 }),
    ]);
    for (const ticks of [a, b]) {
      const seen: number[] = [];
      for await (const n of ticks) {
        seen.push(n as number);
        if (seen.length === 50) break;
      }
      expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    }
  });

  it('fails with ERR_SUBSCRIPTION_OVERFLOW when more than maxBuffered come right behind the answer', async () => {
    const subscriptions = createSubscriptions({
      onSubscribe: (subscription) => {
        queueMicrotask(() => {
          for (let n = 1; n <= 10; n++) subscriptions.send(subscription, n);
        });
        return undefined;
      },
    });
    const { address } = await startServer({ methods: subscriptions.methods });
    const client = await connectRpc(transport, address);
    // Held before the id is known, or buffered after: either way more than 3 wait unread.
    const ticks = await client.subscribe('ticks', [], { maxBuffered: 3 });
    await until(() => subscriptions.subscribers('ticks').length === 0, 'the unsubscribe');
    const { values, error } = await drain(ticks);
    expect(values).toEqual([]);
    expect(error).toMatchObject({ code: 'ERR_SUBSCRIPTION_OVERFLOW', limit: 3 });
  });

  it('routes each subscription’s pushes to its own iterator', async () => {
    const { subscriptions, client } = await setup();
    const ticks = await client.subscribe('ticks');
    const blocks = await client.subscribe('blocks', [{ full: false }]);
    subscriptions.publish('blocks', 'b1');
    subscriptions.publish('ticks', 't1');
    subscriptions.publish('blocks', 'b2');
    const ticksIterator = ticks[Symbol.asyncIterator]();
    const blocksIterator = blocks[Symbol.asyncIterator]();
    expect(await ticksIterator.next()).toEqual({ done: false, value: 't1' });
    expect(await blocksIterator.next()).toEqual({ done: false, value: 'b1' });
    expect(await blocksIterator.next()).toEqual({ done: false, value: 'b2' });
    expect(await blocks.unsubscribe()).toBe(true);
    subscriptions.publish('ticks', 't2');
    expect(await ticksIterator.next()).toEqual({ done: false, value: 't2' });
    expect(subscriptions.subscribers('blocks')).toEqual([]);
  });

  it('unsubscribe() ends an iteration that is waiting, and is answered once', async () => {
    const { subscriptions, client } = await setup();
    const ticks = await client.subscribe('ticks');
    const iteration = drain(ticks);
    const first = ticks.unsubscribe();
    expect(ticks.unsubscribe()).toBe(first);
    expect(await first).toBe(true);
    expect(await iteration).toEqual({ values: [], error: undefined });
    expect(subscriptions.subscribers('ticks')).toEqual([]);
  });

  it('fails a consumer that falls behind with ERR_SUBSCRIPTION_OVERFLOW, and unsubscribes', async () => {
    const { subscriptions, client, address } = await setup();
    const ticks = await client.subscribe('ticks', [], { maxBuffered: 3 });
    for (let n = 1; n <= 10; n++) subscriptions.publish('ticks', n);
    // The fourth unread push fails it, and the client unsubscribes on its own.
    await until(() => subscriptions.subscribers('ticks').length === 0, 'the unsubscribe');
    const { values, error } = await drain(ticks);
    expect(values).toEqual([]);
    expect(error).toBeInstanceOf(SubscriptionOverflowError);
    expect(error).toMatchObject({
      name: 'SubscriptionOverflowError',
      code: 'ERR_SUBSCRIPTION_OVERFLOW',
      subscription: ticks.id,
      limit: 3,
    });
    const message = (error as Error).message;
    expect(message).toContain(ticks.id);
    expect(message).toContain('"ticks"');
    expect(message).toContain(address);
    expect(message).toContain('more than 3');
    expect(message).toContain('maxBuffered');
    // The other subscriptions of the client are unaffected.
    const again = await client.subscribe('ticks');
    subscriptions.publish('ticks', 'still here');
    expect(await again[Symbol.asyncIterator]().next()).toEqual({
      done: false,
      value: 'still here',
    });
  });

  it('holds up to maxBuffered unread pushes', async () => {
    const { subscriptions, client } = await setup();
    const ticks = await client.subscribe('ticks', [], { maxBuffered: 3 });
    for (let n = 1; n <= 3; n++) subscriptions.publish('ticks', n);
    // A round trip behind the pushes: all three have arrived, unread.
    const probe = await client.subscribe('probe');
    expect(await probe.unsubscribe()).toBe(true);
    const seen: unknown[] = [];
    for await (const n of ticks) {
      seen.push(n);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it('yields a long run of pushes in order, however far the reader lags', async () => {
    const { subscriptions, client } = await setup();
    const ticks = await client.subscribe('ticks', [], { maxBuffered: Number.POSITIVE_INFINITY });
    const total = 5000;
    for (let n = 1; n <= total; n++) subscriptions.publish('ticks', n);
    const seen: number[] = [];
    for await (const n of ticks) {
      seen.push(n as number);
      // Publish more while reading, so the buffer is read from and added to at once.
      if (seen.length === total / 2)
        for (let m = 1; m <= 10; m++) subscriptions.publish('ticks', total + m);
      if (seen.length === total + 10) break;
    }
    expect(seen).toEqual(Array.from({ length: total + 10 }, (_, i) => i + 1));
  });

  it('ends the iteration with ECONNRESET when the connection closes, after what had arrived', async () => {
    const { subscriptions, client, address } = await setup();
    const ticks = await client.subscribe('ticks');
    subscriptions.publish('ticks', 1);
    subscriptions.publish('ticks', 2);
    // A round trip behind the pushes: both have arrived, unread.
    const probe = await client.subscribe('probe');
    expect(await probe.unsubscribe()).toBe(true);
    only(subscriptions, 'ticks').context.connection.destroy();
    const { values, error } = await drain(ticks);
    expect(values).toEqual([1, 2]);
    expect(isTransportError(error, 'ECONNRESET')).toBe(true);
    expect(error).toMatchObject({ address });
    expect((error as Error).message).toContain(ticks.id);
    expect((error as Error).message).toContain(address);
    // The server's side ended too.
    await until(() => subscriptions.subscribers('ticks').length === 0, 'the server to let go');
  });

  it('ends a waiting iteration with ECONNRESET when the client closes', async () => {
    const { client } = await setup();
    const ticks = await client.subscribe('ticks');
    const iteration = drain(ticks);
    await client.close();
    const { values, error } = await iteration;
    expect(values).toEqual([]);
    expect(isTransportError(error, 'ECONNRESET')).toBe(true);
    await expect(ticks.unsubscribe()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('rejects as request does when the subscribe is refused, and carries on', async () => {
    const { subscriptions, client } = await setup({ topics: ['ticks'] });
    await expect(client.subscribe('tocks')).rejects.toMatchObject({
      code: RpcErrorCode.InvalidParams,
      message: expect.stringContaining('"tocks"'),
    });
    const ticks = await client.subscribe('ticks');
    subscriptions.publish('ticks', 'ok');
    expect(await ticks[Symbol.asyncIterator]().next()).toEqual({ done: false, value: 'ok' });
  });

  it('refuses a maxBuffered that is not a positive integer or Infinity', async () => {
    const { client, subscriptions } = await setup();
    for (const maxBuffered of [0, -1, 1.5, Number.NaN]) {
      await expect(client.subscribe('ticks', [], { maxBuffered })).rejects.toMatchObject({
        name: 'RangeError',
        code: 'ERR_OUT_OF_RANGE',
        message: `maxBuffered must be a positive integer or Infinity, got ${maxBuffered}`,
      });
    }
    expect(subscriptions.subscribers('ticks')).toEqual([]);
    const ticks = await client.subscribe('ticks', [], { maxBuffered: Number.POSITIVE_INFINITY });
    expect(await ticks.unsubscribe()).toBe(true);
  });

  it('speaks go-ethereum’s method names when told them', async () => {
    const names = {
      subscribeMethod: 'eth_subscribe',
      unsubscribeMethod: 'eth_unsubscribe',
      notificationMethod: 'eth_subscription',
    } as const;
    const { subscriptions, client } = await setup({ ...names, topics: ['newHeads'] });
    const heads = await client.subscribe('newHeads', [], names);
    subscriptions.publish('newHeads', { number: '0x10' });
    for await (const head of heads) {
      expect(head).toEqual({ number: '0x10' });
      break;
    }
    expect(subscriptions.subscribers('newHeads')).toEqual([]);
  });
});

describe('client.subscribe against a server that misbehaves', () => {
  it('rejects with a TypeError naming the address when the answer is not an id', async () => {
    const { address } = await startServer({ methods: { subscribe: () => 42 } });
    const client: RpcClient = await connectRpc(transport, address);
    await expect(client.subscribe('ticks')).rejects.toThrow(
      new TypeError(
        `the answer to subscribe "ticks" from ${address} is not a subscription id (a string): 42`,
      ),
    );
  });
});
