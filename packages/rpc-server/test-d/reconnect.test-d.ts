/**
 * Type tests of a reconnecting client (issue 17): its options, state, close
 * reason and events. Type-checked by `npm run typecheck`, never run.
 */

import {
  connectRpc,
  type RpcClientState,
  type RpcCloseReason,
  type RpcReconnectedEvent,
  type RpcStateChangeEvent,
  type RpcSubscriptionGapEvent,
} from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';
import { expectTypeOf } from 'vitest';

const address = defaultAddress('localwire-reconnect-types');

interface Server {
  add(params: [number, number]): number;
}

const client = await connectRpc<Server>(unixSocketTransport, address, {
  reconnect: { initialDelay: 50, maxDelay: 5000, factor: 2, jitter: true, maxAttempts: 10 },
  waitForServer: true,
  maxQueued: 100,
  whileDisconnected: 'reject',
});
await connectRpc(unixSocketTransport, address, { reconnect: true });
// @ts-expect-error whileDisconnected is 'queue' or 'reject'
await connectRpc(unixSocketTransport, address, { whileDisconnected: 'drop' });

expectTypeOf(client.state).toEqualTypeOf<RpcClientState>();
expectTypeOf(client.closeReason).toEqualTypeOf<RpcCloseReason | undefined>();
expectTypeOf<RpcCloseReason['kind']>().toEqualTypeOf<
  'close' | 'disconnected' | 'refused' | 'protocol'
>();

client.addEventListener('statechange', (event) => {
  expectTypeOf(event).toEqualTypeOf<RpcStateChangeEvent>();
  expectTypeOf(event.state).toEqualTypeOf<RpcClientState>();
});
client.addEventListener('reconnected', (event) => {
  expectTypeOf(event).toEqualTypeOf<RpcReconnectedEvent>();
  expectTypeOf(event.attempts).toEqualTypeOf<number>();
});
// @ts-expect-error no such event
client.addEventListener('open', () => {});

// Per call: idempotent, and whileDisconnected.
expectTypeOf(
  client.request('add', [1, 2], { idempotent: true, whileDisconnected: 'queue' }),
).toEqualTypeOf<Promise<number>>();

const ticks = await connectRpc(unixSocketTransport, address).then((c) => c.subscribe('ticks'));
ticks.addEventListener('gap', (event) => {
  expectTypeOf(event).toEqualTypeOf<RpcSubscriptionGapEvent>();
  expectTypeOf(event.id).toEqualTypeOf<string>();
});
