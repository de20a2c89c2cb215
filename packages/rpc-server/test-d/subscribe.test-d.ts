/**
 * Type tests of `client.subscribe`: topics and args from the server's
 * subscribe method, each push's type from the client's notification method.
 * Type-checked by `npm run typecheck`, never run.
 */

import {
  connectRpc,
  type RpcPushResult,
  type RpcSubscription,
  type RpcTopic,
  type SubscribeOptions,
} from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';
import { expectTypeOf } from 'vitest';

const address = defaultAddress('localwire-subscribe-types');

/** A server's subscribe and unsubscribe methods, as `createSubscriptions` serves them. */
interface Server {
  subscribe(params: ['ticks', intervalMs: number] | ['blocks']): string;
  unsubscribe(params: [id: string]): boolean;
  eth_subscribe(params: ['newHeads'] | ['logs', filter: { address: string }]): string;
  eth_unsubscribe(params: [id: string]): boolean;
}

/** What the server pushes: the notifications this client reads. */
interface Pushes {
  subscription(params: { subscription: string; result: number }): void;
  eth_subscription(params: { subscription: string; result: { number: string } }): void;
}

expectTypeOf<RpcTopic<Server>>().toEqualTypeOf<'ticks' | 'blocks'>();
expectTypeOf<RpcTopic<Server, 'eth_subscribe'>>().toEqualTypeOf<'newHeads' | 'logs'>();
expectTypeOf<RpcPushResult<Pushes>>().toEqualTypeOf<number>();
expectTypeOf<RpcPushResult<Pushes, 'eth_subscription'>>().toEqualTypeOf<{ number: string }>();
expectTypeOf<RpcPushResult<Server>>().toBeUnknown();

const typed = await connectRpc<Server, Pushes>(unixSocketTransport, address);

// The element type is the notification's `result`.
const ticks = await typed.subscribe('ticks', [100]);
expectTypeOf(ticks).toEqualTypeOf<RpcSubscription<number>>();
expectTypeOf(ticks.id).toEqualTypeOf<string>();
expectTypeOf(ticks.unsubscribe()).toEqualTypeOf<Promise<boolean>>();
for await (const tick of ticks) expectTypeOf(tick).toEqualTypeOf<number>();
expectTypeOf(await typed.subscribe('blocks', [], { maxBuffered: 10 })).toEqualTypeOf<
  RpcSubscription<number>
>();
// Args may be left out where the topic takes none.
expectTypeOf(await typed.subscribe('blocks')).toEqualTypeOf<RpcSubscription<number>>();

// Other method names, as literals in the options: their topics and pushes.
const names = {
  subscribeMethod: 'eth_subscribe',
  unsubscribeMethod: 'eth_unsubscribe',
  notificationMethod: 'eth_subscription',
} as const;
const heads = await typed.subscribe('newHeads', [], names);
expectTypeOf(heads).toEqualTypeOf<RpcSubscription<{ number: string }>>();
await typed.subscribe('logs', [{ address: '0x00' }], names);

// @ts-expect-error the interval is a number
typed.subscribe('ticks', ['100']);
// @ts-expect-error ticks needs its interval
typed.subscribe('ticks', []);
// @ts-expect-error no such topic
typed.subscribe('tocks', [100]);
// @ts-expect-error newHeads is a topic of eth_subscribe, not of subscribe
typed.subscribe('newHeads', []);
// @ts-expect-error logs needs its filter
typed.subscribe('logs', [], names);
// @ts-expect-error maxBuffered is a number
typed.subscribe('blocks', [], { maxBuffered: '10' });

// A server typed without a client side: pushes are unknown.
const noPushes = await connectRpc<Server>(unixSocketTransport, address);
expectTypeOf(await noPushes.subscribe('blocks', [])).toEqualTypeOf<RpcSubscription<unknown>>();

// Untyped: any topic, args optional, the element as declared.
const untyped = await connectRpc(unixSocketTransport, address);
expectTypeOf(await untyped.subscribe('anything')).toEqualTypeOf<RpcSubscription<unknown>>();
expectTypeOf(await untyped.subscribe<bigint>('anything', [1, 'two'])).toEqualTypeOf<
  RpcSubscription<bigint>
>();
const options: SubscribeOptions = { maxBuffered: Number.POSITIVE_INFINITY, timeout: 1000 };
await untyped.subscribe('anything', [], options);
