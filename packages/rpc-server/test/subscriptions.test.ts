import { describe, expect, it } from 'vitest';
import { connectRpc, createSubscriptions, RpcError, RpcErrorCode } from '../src/index.js';
import { startServer, until } from './helpers/rpc.js';
import { transport } from './helpers/transport.js';

async function setup(options: Parameters<typeof createSubscriptions>[0] = {}) {
  const subscriptions = createSubscriptions(options);
  const { address } = await startServer({ methods: subscriptions.methods });
  const connect = async () => {
    const client = await connectRpc(transport, address);
    const pushes: unknown[] = [];
    client.on(options.notificationMethod ?? 'subscription', (params: unknown) => {
      pushes.push(params);
    });
    return { client, pushes };
  };
  return { subscriptions, connect };
}

describe('subscriptions', () => {
  it('pushes { subscription, result } to each subscriber of a topic', async () => {
    const { subscriptions, connect } = await setup();
    const a = await connect();
    const b = await connect();
    const idA = await a.client.request<string>('subscribe', ['ticks']);
    const idB = await b.client.request<string>('subscribe', ['ticks', { every: 2 }]);
    await b.client.request('subscribe', ['other']);
    expect(idA).toMatch(/^0x[0-9a-f]{32}$/);
    expect(idA).not.toBe(idB);
    expect(subscriptions.subscribers('ticks').map((s) => [s.id, s.args])).toEqual([
      [idA, []],
      [idB, [{ every: 2 }]],
    ]);
    expect(subscriptions.publish('ticks', { n: 1 })).toBe(2);
    expect(subscriptions.publish('nobody', 1)).toBe(0);
    await until(() => a.pushes.length === 1 && b.pushes.length === 1, 'both pushes');
    expect(a.pushes).toEqual([{ subscription: idA, result: { n: 1 } }]);
    expect(b.pushes).toEqual([{ subscription: idB, result: { n: 1 } }]);
  });

  it('sends to one subscription, and unsubscribes only the owner’s', async () => {
    const { subscriptions, connect } = await setup();
    const a = await connect();
    const b = await connect();
    const idA = await a.client.request<string>('subscribe', ['ticks']);
    const [subscription] = subscriptions.subscribers('ticks');
    subscriptions.send(subscription!, 'just you');
    await until(() => a.pushes.length === 1, 'the push');
    expect(a.pushes).toEqual([{ subscription: idA, result: 'just you' }]);
    expect(await b.client.request('unsubscribe', [idA])).toBe(false);
    expect(await a.client.request('unsubscribe', [idA])).toBe(true);
    expect(await a.client.request('unsubscribe', [idA])).toBe(false);
    expect(subscriptions.subscribers('ticks')).toEqual([]);
  });

  it('ends a connection’s subscriptions when it closes', async () => {
    const { subscriptions, connect } = await setup();
    const a = await connect();
    const b = await connect();
    await a.client.request('subscribe', ['ticks']);
    await a.client.request('subscribe', ['ticks']);
    await b.client.request('subscribe', ['ticks']);
    expect(subscriptions.subscribers('ticks')).toHaveLength(3);
    await a.client.close();
    await until(() => subscriptions.subscribers('ticks').length === 1, 'a’s subscriptions to end');
  });

  it('takes its method names and allowed topics from the options', async () => {
    const { connect } = await setup({
      subscribeMethod: 'eth_subscribe',
      unsubscribeMethod: 'eth_unsubscribe',
      notificationMethod: 'eth_subscription',
      topics: ['newHeads'],
    });
    const { client } = await connect();
    const id = await client.request<string>('eth_subscribe', ['newHeads']);
    await expect(client.request('eth_subscribe', ['logs'])).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('"logs"'),
    });
    await expect(client.request('eth_subscribe', [])).rejects.toMatchObject({ code: -32602 });
    await expect(client.request('eth_unsubscribe', { id: 'x' })).rejects.toMatchObject({
      code: -32602,
    });
    await expect(client.request('subscribe', ['newHeads'])).rejects.toMatchObject({
      code: -32601,
    });
    expect(await client.request('eth_unsubscribe', [id])).toBe(true);
  });
});

describe('subscriptions: onSubscribe', () => {
  it('starts a source per subscription and stops it on unsubscribe and on close', async () => {
    const started: string[] = [];
    const stopped: string[] = [];
    const { connect } = await setup({
      onSubscribe(subscription) {
        if (subscription.args[0] === 'refuse') {
          throw new RpcError(RpcErrorCode.InvalidParams, 'Invalid params: refused');
        }
        started.push(subscription.id);
        return () => stopped.push(subscription.id);
      },
    });
    const a = await connect();
    const first = await a.client.request<string>('subscribe', ['ticks']);
    const second = await a.client.request<string>('subscribe', ['ticks']);
    await expect(a.client.request('subscribe', ['ticks', 'refuse'])).rejects.toMatchObject({
      code: RpcErrorCode.InvalidParams,
      message: 'Invalid params: refused',
    });
    expect(started).toEqual([first, second]);
    expect(await a.client.request('unsubscribe', [first])).toBe(true);
    expect(stopped).toEqual([first]);
    await a.client.close();
    await until(() => stopped.length === 2, 'the second stop');
    expect(stopped).toEqual([first, second]);
  });
});
