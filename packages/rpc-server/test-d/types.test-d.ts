/**
 * Type tests: each `expectTypeOf` and `@ts-expect-error` fails `npm run
 * typecheck` (tsc over test-d/) when a type regresses. Never run.
 */

import { namedPipeTransport } from '@localwire/named-pipe';
import {
  type BatchResult,
  connectRpc,
  createRpcServer,
  defineMethods,
  type RpcClient,
  type RpcContext,
  type RpcError,
  type RpcMethodParams,
  type RpcMethodResult,
} from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';
import * as v from 'valibot';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';

const address = defaultAddress('localwire-types');

/** What the client serves back to the server (a declared map). */
interface ClientSide {
  progress(params: { done: number }): void;
  confirm(params: [question: string]): boolean;
}

/** A params type declared as an interface (no index signature). */
interface AddNoteParams {
  title: string;
  tags?: string[];
}

const methods = defineMethods({
  // Positional and named params, declared on the handler.
  add: ([a, b]: [number, number]) => a + b,
  addNote: (note: AddNoteParams) => ({ id: 1, title: note.title }),
  // No params at all, and an explicitly empty list.
  ping: () => 'pong' as const,
  now: (_: []) => Date.now(),
  // zod: named, positional, and a transform whose input and output differ.
  greet: {
    params: z.object({ name: z.string() }),
    handler: (params) => {
      expectTypeOf(params).toEqualTypeOf<{ name: string }>();
      return `hello ${params.name}`;
    },
  },
  scale: {
    params: z.tuple([z.number(), z.number().optional()]),
    handler: ([value, factor]) => {
      expectTypeOf(value).toEqualTypeOf<number>();
      expectTypeOf(factor).toEqualTypeOf<number | undefined>();
      return value * (factor ?? 2);
    },
  },
  parse: {
    params: z.object({ text: z.string().transform((text) => text.length) }),
    handler: ({ text }) => {
      expectTypeOf(text).toEqualTypeOf<number>();
      return text > 0;
    },
  },
  // valibot: named and positional.
  rename: {
    params: v.object({ from: v.string(), to: v.string() }),
    handler: ({ from, to }) => {
      expectTypeOf(from).toEqualTypeOf<string>();
      return `${from} -> ${to}`;
    },
  },
  repeat: {
    params: v.tuple([v.string(), v.number()]),
    handler: ([text, times]) => text.repeat(times),
  },
  // An async schema (zod's async refinement) and an async handler.
  lookup: {
    params: z.object({ key: z.string() }).refine(async ({ key }) => key !== ''),
    handler: async ({ key }) => ({ key, found: true }),
  },
  // A check function: the handler gets what it returns.
  checked: {
    params: (raw: unknown) => raw as { n: number },
    handler: ({ n }) => n * 2,
  },
  // A result schema: the client gets its output type.
  stamp: {
    result: z.string().transform((text) => new Date(text)),
    handler: async (_: []) => new Date().toISOString(),
  },
  // A handler that calls the client back through a typed context.
  remove: async ([path]: [string], ctx: RpcContext<ClientSide>) => {
    ctx.notify('progress', { done: 0 });
    const sure = await ctx.request('confirm', [`remove ${path}?`]);
    expectTypeOf(sure).toEqualTypeOf<boolean>();
    // @ts-expect-error the client has no such method
    ctx.request('explode', []);
    // @ts-expect-error wrong params for confirm
    ctx.request('confirm', [42]);
    // @ts-expect-error progress takes { done }
    ctx.notify('progress', { percent: 1 });
    return sure ? 'removed' : 'kept';
  },
  // The untyped context takes anything, as before.
  later: async (_: [], ctx) => {
    ctx.notify('tick', [1]);
    expectTypeOf(await ctx.request<number>('anything', { x: 1 })).toEqualTypeOf<number>();
    return new Date().toISOString();
  },
});
type Methods = typeof methods;

createRpcServer({ methods });

// A handler whose params do not fit its schema, or whose result does not fit its result schema.
defineMethods({
  // @ts-expect-error the schema gives { name: string }, not { name: number }
  wrongParams: { params: z.object({ name: z.string() }), handler: (p: { name: number }) => p },
});
defineMethods({
  // @ts-expect-error the result schema takes a string
  wrongResult: { params: z.tuple([z.number()]), result: z.string(), handler: ([n]) => n },
});
defineMethods({
  greet: {
    params: z.object({ name: z.string() }),
    // @ts-expect-error no such param
    handler: ({ nickname }) => nickname,
  },
});

// The helper types.
expectTypeOf<RpcMethodParams<Methods, 'greet'>>().toEqualTypeOf<{ name: string }>();
expectTypeOf<RpcMethodParams<Methods, 'parse'>>().toEqualTypeOf<{ text: string }>();
expectTypeOf<RpcMethodParams<Methods, 'add'>>().toEqualTypeOf<[number, number]>();
expectTypeOf<RpcMethodResult<Methods, 'lookup'>>().toEqualTypeOf<{ key: string; found: boolean }>();
expectTypeOf<RpcMethodResult<Methods, 'stamp'>>().toEqualTypeOf<Date>();

const client = await connectRpc<Methods, ClientSide>(unixSocketTransport, address);
expectTypeOf(client).toEqualTypeOf<RpcClient<Methods, ClientSide>>();

// request: names, params (by position and by name) and results.
expectTypeOf(client.request('add', [1, 2])).toEqualTypeOf<Promise<number>>();
expectTypeOf(client.request('greet', { name: 'Ada' })).toEqualTypeOf<Promise<string>>();
expectTypeOf(client.request('scale', [3])).toEqualTypeOf<Promise<number>>();
expectTypeOf(client.request('parse', { text: 'abc' })).toEqualTypeOf<Promise<boolean>>();
expectTypeOf(client.request('rename', { from: 'a', to: 'b' })).toEqualTypeOf<Promise<string>>();
expectTypeOf(client.request('repeat', ['ab', 3])).toEqualTypeOf<Promise<string>>();
expectTypeOf(client.request('lookup', { key: 'k' }, { timeout: 1000 })).toEqualTypeOf<
  Promise<{ key: string; found: boolean }>
>();
expectTypeOf(client.request('checked', { n: 2 })).toEqualTypeOf<Promise<number>>();
expectTypeOf(client.request('stamp', [])).toEqualTypeOf<Promise<Date>>();
expectTypeOf(client.request('remove', ['/tmp/x'])).toEqualTypeOf<Promise<'removed' | 'kept'>>();
// No params: they may be left out (or sent as anything, since the handler ignores them).
expectTypeOf(client.request('ping')).toEqualTypeOf<Promise<'pong'>>();
expectTypeOf(client.request('ping', undefined, { timeout: 10 })).toEqualTypeOf<Promise<'pong'>>();
// An empty list must be sent as one.
expectTypeOf(client.request('now', [])).toEqualTypeOf<Promise<number>>();
// @ts-expect-error now takes []
client.request('now');
// An interface as params.
const note: AddNoteParams = { title: 'groceries' };
expectTypeOf(client.request('addNote', note)).toEqualTypeOf<
  Promise<{ id: number; title: string }>
>();
// @ts-expect-error params are required
client.request('greet');
// @ts-expect-error name must be a string (the schema's input)
client.request('greet', { name: 1 });
// @ts-expect-error parse takes the transform's input, a string
client.request('parse', { text: 3 });
// @ts-expect-error valibot's schema: to is required
client.request('rename', { from: 'a' });
// @ts-expect-error positional params by name
client.request('add', { a: 1, b: 2 });
// @ts-expect-error unknown method
client.request('nope');
// @ts-expect-error a typed client takes no result type argument
client.request<number>('add', [1, 2]);

// notify: the same checks, no result.
expectTypeOf(client.notify('greet', { name: 'Ada' })).toEqualTypeOf<void>();
client.notify('ping');
// @ts-expect-error unknown method
client.notify('nope');
// @ts-expect-error wrong params
client.notify('add', ['1', 2]);

// batch: each call checked, each answer typed with its method's result.
const answers = await client.batch([
  { method: 'add', params: [1, 2] },
  { method: 'greet', params: { name: 'Ada' } },
  { method: 'ping' },
  { method: 'rename', params: { from: 'a', to: 'b' }, notification: true },
]);
expectTypeOf(answers).toEqualTypeOf<
  [BatchResult<number>, BatchResult<string>, BatchResult<'pong'>, undefined]
>();
const [first] = answers;
if (first.ok) expectTypeOf(first.result).toEqualTypeOf<number>();
else expectTypeOf(first.error).toEqualTypeOf<RpcError>();
// @ts-expect-error wrong params in a batch
await client.batch([{ method: 'add', params: ['1', 2] }]);
// @ts-expect-error unknown method in a batch
await client.batch([{ method: 'nope' }]);
// @ts-expect-error greet needs its params
await client.batch([{ method: 'greet' }]);

// on: the client's own methods, typed from its declared map; their context calls the server.
client.on('progress', ({ done }) => {
  expectTypeOf(done).toEqualTypeOf<number>();
});
client.on('confirm', async ([question], ctx) => {
  expectTypeOf(question).toEqualTypeOf<string>();
  expectTypeOf(await ctx.request('add', [1, 2])).toEqualTypeOf<number>();
  return question.length > 0;
});
// @ts-expect-error confirm answers a boolean
client.on('confirm', () => 'yes');
// @ts-expect-error the client declares no such method
client.on('nope', () => {});

// A declared map (an interface of method signatures) types a client as well.
interface Api {
  add(params: [number, number]): number;
  version(): string;
}
const api = await connectRpc<Api>(unixSocketTransport, address);
expectTypeOf(api.request('add', [1, 2])).toEqualTypeOf<Promise<number>>();
expectTypeOf(api.request('version')).toEqualTypeOf<Promise<string>>();
// @ts-expect-error wrong params
api.request('add', [1]);

// The untyped client stays as it was: any method, the result type as you say.
const untyped = await connectRpc(unixSocketTransport, address);
expectTypeOf(untyped).toEqualTypeOf<RpcClient>();
expectTypeOf(untyped.request('anything')).toEqualTypeOf<Promise<unknown>>();
expectTypeOf(untyped.request<number>('add', [1, 2], { timeout: 5 })).toEqualTypeOf<
  Promise<number>
>();
expectTypeOf(untyped.request('addNote', note)).toEqualTypeOf<Promise<unknown>>();
expectTypeOf(
  await untyped.batch([
    { method: 'x', params: [1] },
    { method: 'y', notification: true },
  ]),
).toEqualTypeOf<Array<BatchResult | undefined>>();
untyped.notify('anything', { a: 1 });
untyped.on('subscription', (params: { subscription: string; result: unknown }) => params.result);
// @ts-expect-error params are an array or an object
untyped.request('add', 5);

// Transport-specific connect options keep their types, typed or not.
await connectRpc(namedPipeTransport, '\\\\.\\pipe\\app', { connect: { verifyOwner: false } });
await connectRpc<Methods>(namedPipeTransport, '\\\\.\\pipe\\app', {
  connect: { verifyOwner: false, timeout: 1000 },
});
// @ts-expect-error verifyOwner is a boolean
await connectRpc(namedPipeTransport, '\\\\.\\pipe\\app', { connect: { verifyOwner: 'no' } });
await connectRpc<Methods>(namedPipeTransport, '\\\\.\\pipe\\app', {
  // @ts-expect-error verifyOwner is a boolean
  connect: { verifyOwner: 'no' },
});
await connectRpc<Methods>(unixSocketTransport, address, {
  // @ts-expect-error no transport has this option
  connect: { verifyOwnr: false },
});
await connectRpc(unixSocketTransport, address, { connect: { trustUids: [0], timeout: 1000 } });
await connectRpc<Methods>(unixSocketTransport, address, { connect: { trustUids: [0] } });
await connectRpc(unixSocketTransport, address, {
  // @ts-expect-error trustUids are numbers
  connect: { trustUids: ['root'] },
});
