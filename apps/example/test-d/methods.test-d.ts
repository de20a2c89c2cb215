/**
 * The typed client the README shows, checked against the example's real
 * methods. Type-checked by `npm run typecheck`, never run.
 */
import { connectRpc, type RpcClient, type RpcSubscription } from '@localwire/rpc-server';
import { expectTypeOf } from 'vitest';
import type { ExampleMethods, ExamplePushes } from '../src/methods.js';
import { defaultAppAddress, transport } from '../src/platform.js';

const client = await connectRpc<ExampleMethods>(transport, defaultAppAddress());
expectTypeOf(client).toEqualTypeOf<RpcClient<ExampleMethods>>();

// By position or by name: the schemas' input types.
expectTypeOf(client.request('add', [1, 2])).toEqualTypeOf<Promise<number>>();
expectTypeOf(client.request('add', { a: 1.5, b: 2.5 })).toEqualTypeOf<Promise<number>>();
expectTypeOf(client.request('sleep', { ms: 50 })).toEqualTypeOf<Promise<number>>();
expectTypeOf(client.request('echo', ['hello'])).not.toBeAny();
expectTypeOf(client.request('subscribe', ['ticks', 100])).toEqualTypeOf<Promise<string>>();
expectTypeOf(client.request('unsubscribe', ['0x00'])).toEqualTypeOf<Promise<boolean>>();
await client.request('whoami');

// @ts-expect-error a and b are numbers
client.request('add', ['two', 2]);
// @ts-expect-error by name, both are needed
client.request('add', { a: 1 });
// @ts-expect-error only ticks can be subscribed to
client.request('subscribe', ['tocks', 100]);
// @ts-expect-error the example has no such method
client.request('divide', [1, 2]);

const [sum, text] = await client.batch([
  { method: 'add', params: [40, 2] },
  { method: 'echo', params: { value: 'one' } },
]);
expectTypeOf(sum).toEqualTypeOf<
  { ok: true; result: number } | { ok: false; error: import('@localwire/rpc-server').RpcError }
>();
expectTypeOf(text).not.toBeUndefined();

// Subscriptions: the topic and interval from ExampleMethods, each tick's type from ExamplePushes.
const typed = await connectRpc<ExampleMethods, ExamplePushes>(transport, defaultAppAddress());
const ticks = await typed.subscribe('ticks', [100]);
expectTypeOf(ticks).toEqualTypeOf<RpcSubscription<number>>();
for await (const n of ticks) {
  expectTypeOf(n).toEqualTypeOf<number>();
  if (n === 3) break;
}
// @ts-expect-error only ticks can be subscribed to
typed.subscribe('tocks', [100]);
// @ts-expect-error ticks needs its interval
typed.subscribe('ticks');
