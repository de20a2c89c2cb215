import { AsyncLocalStorage } from 'node:async_hooks';
import { tracingChannel } from 'node:diagnostics_channel';
import { TransportError } from '@localwire/transport';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  CLIENT_TRACING_CHANNEL,
  connectRpc,
  type RpcContext,
  RpcError,
  type RpcTraceContext,
  SERVER_TRACING_CHANNEL,
} from '../src/index.js';
import { startServer, until } from './helpers/rpc.js';
import { ownPeer, transport } from './helpers/transport.js';

const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;
type EventName = (typeof EVENTS)[number];

/** One published event: which channel and event, and the context as it was then. */
interface Event {
  side: 'server' | 'client';
  event: EventName;
  trace: RpcTraceContext & { peer?: unknown };
}

/**
 * Subscribes to every event of both channels until the test finishes; the
 * events come in the order they were published, each with a copy of the
 * context as it was at that moment.
 */
function record(): { events: Event[]; contexts: Set<object> } {
  const events: Event[] = [];
  const contexts = new Set<object>();
  for (const [side, name] of [
    ['server', SERVER_TRACING_CHANNEL],
    ['client', CLIENT_TRACING_CHANNEL],
  ] as const) {
    const channel = tracingChannel<unknown, RpcTraceContext>(name);
    const handlers = Object.fromEntries(
      EVENTS.map((event) => [
        event,
        (trace: RpcTraceContext) => {
          contexts.add(trace);
          events.push({ side, event, trace: { ...trace } });
        },
      ]),
    ) as Record<EventName, (trace: RpcTraceContext) => void>;
    channel.subscribe(handlers);
    onTestFinished(() => {
      channel.unsubscribe(handlers);
    });
  }
  return { events, contexts };
}

/** `side:event` of each event, for comparing orders. */
const sequence = (events: Event[]) => events.map((e) => `${e.side}:${e.event}`);

async function setup() {
  const { address } = await startServer({
    methods: {
      add: ([a, b]: [number, number]) => a + b,
      later: async ([a, b]: [number, number]) => {
        await new Promise((resolve) => setImmediate(resolve));
        return a * b;
      },
      refuse: () => {
        throw new RpcError(-32050, 'refused', { why: 'test' });
      },
      crash: async () => {
        throw new Error('a secret');
      },
      hang: () => new Promise(() => {}),
      wait: (_params: unknown, ctx: RpcContext) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        }),
      note: () => {},
      askClient: ([method]: [string], ctx: RpcContext) => ctx.request(method, ['from server']),
    },
  });
  const client = await connectRpc(transport, address);
  onTestFinished(() => client.close());
  return { client, address };
}

describe('tracing channels', () => {
  it('publish a successful call with a synchronous handler on both channels', async () => {
    const { client } = await setup();
    const { events, contexts } = record();
    expect(await client.request('add', [1, 2])).toBe(3);
    expect(sequence(events)).toEqual([
      'client:start',
      'client:end',
      'server:start',
      'server:end',
      'client:asyncStart',
      'client:asyncEnd',
    ]);
    // One context object per side, from start to asyncEnd.
    expect(contexts.size).toBe(2);
    const [clientStart, , serverStart, serverEnd, clientAsyncStart] = events;
    expect(clientStart?.trace).toEqual({ method: 'add', id: 1, params: [1, 2] });
    expect(serverStart?.trace).toEqual({
      method: 'add',
      id: 1,
      params: [1, 2],
      peer: expect.objectContaining(ownPeer(client.connection)),
    });
    // A synchronous handler's result is known when `end` is published.
    expect(serverEnd?.trace).toMatchObject({ method: 'add', id: 1, result: 3 });
    expect(clientAsyncStart?.trace).toMatchObject({ method: 'add', id: 1, result: 3 });
  });

  it('publish an asynchronous handler with asyncStart and asyncEnd on the server side', async () => {
    const { client } = await setup();
    const { events } = record();
    expect(await client.request('later', [6, 7])).toBe(42);
    const server = events.filter((e) => e.side === 'server');
    expect(sequence(server)).toEqual([
      'server:start',
      'server:end',
      'server:asyncStart',
      'server:asyncEnd',
    ]);
    expect(server[1]?.trace).not.toHaveProperty('result');
    expect(server[2]?.trace).toMatchObject({ method: 'later', params: [6, 7], result: 42 });
    expect(sequence(events.filter((e) => e.side === 'client'))).toEqual([
      'client:start',
      'client:end',
      'client:asyncStart',
      'client:asyncEnd',
    ]);
  });

  it('publish a failed call with the error code on both sides', async () => {
    const { client } = await setup();
    const { events } = record();
    await expect(client.request('refuse')).rejects.toMatchObject({ code: -32050 });
    expect(sequence(events)).toEqual([
      'client:start',
      'client:end',
      'server:start',
      'server:error',
      'server:end',
      'client:error',
      'client:asyncStart',
      'client:asyncEnd',
    ]);
    const serverError = events[3]?.trace;
    expect(serverError).toMatchObject({ method: 'refuse', errorCode: -32050 });
    expect(serverError?.error).toBeInstanceOf(RpcError);
    expect(serverError?.error).toMatchObject({ message: 'refused', data: { why: 'test' } });
    expect(serverError).not.toHaveProperty('result');
    const clientError = events[5]?.trace;
    expect(clientError).toMatchObject({ method: 'refuse', errorCode: -32050 });
    expect(clientError?.error).toBeInstanceOf(RpcError);
  });

  it('carry the code the peer got: -32603 for an unexpected error, -32601 for no such method', async () => {
    const { client } = await setup();
    const { events } = record();
    await expect(client.request('crash')).rejects.toMatchObject({ code: -32603 });
    await expect(client.request('missing')).rejects.toMatchObject({ code: -32601 });
    const errors = events.filter((e) => e.event === 'error');
    expect(errors.map((e) => [e.side, e.trace.method, e.trace.errorCode])).toEqual([
      ['server', 'crash', -32603],
      ['client', 'crash', -32603],
      ['server', 'missing', -32601],
      ['client', 'missing', -32601],
    ]);
    // As the peer saw it: the unexpected error's message is not in the trace.
    expect(errors[0]?.trace.error).toMatchObject({ message: 'Internal error' });
  });

  it('publish a request that got no answer with the transport error and no error code', async () => {
    const { client } = await setup();
    const { events } = record();
    await expect(client.request('hang', [], { timeout: 20 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
    });
    const clientEvents = events.filter((e) => e.side === 'client');
    expect(sequence(clientEvents)).toEqual([
      'client:start',
      'client:end',
      'client:error',
      'client:asyncStart',
      'client:asyncEnd',
    ]);
    const failed = clientEvents[2]?.trace;
    expect(failed?.error).toBeInstanceOf(TransportError);
    expect(failed).not.toHaveProperty('errorCode');
  });

  it('publish a cancelled call: ABORT_ERR on the client side, -32800 on the server side', async () => {
    const { client } = await setup();
    const { events } = record();
    const abort = new AbortController();
    const call = client.request('wait', [], { signal: abort.signal });
    await until(() => events.some((e) => e.side === 'server' && e.event === 'end'), 'the call');
    abort.abort();
    await expect(call).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await until(
      () => events.some((e) => e.side === 'server' && e.event === 'asyncEnd'),
      'the cancelled handler',
    );
    expect(sequence(events)).toEqual([
      'client:start',
      'client:end',
      'server:start',
      'server:end',
      'client:error',
      'client:asyncStart',
      'client:asyncEnd',
      'server:error',
      'server:asyncStart',
      'server:asyncEnd',
    ]);
    const clientError = events[4]?.trace;
    expect(clientError?.error).toMatchObject({ code: 'ABORT_ERR' });
    expect(clientError).not.toHaveProperty('errorCode');
    expect(events[7]?.trace).toMatchObject({ method: 'wait', id: 1, errorCode: -32800 });
  });

  it('publish no notification, on either side', async () => {
    const { client } = await setup();
    const { events } = record();
    client.notify('note', ['x']);
    expect(await client.request('add', [2, 2])).toBe(4);
    expect(events.map((e) => e.trace.method)).toEqual(Array(6).fill('add'));
  });

  it('publish each request of a batch as a call of its own, notifications left out', async () => {
    const { client } = await setup();
    const { events, contexts } = record();
    const results = await client.batch([
      { method: 'add', params: [1, 1] },
      { method: 'note', notification: true },
      { method: 'refuse' },
      { method: 'later', params: [2, 3] },
    ]);
    expect(results.map((r) => r?.ok)).toEqual([true, undefined, false, true]);
    expect(contexts.size).toBe(6);
    const of = (side: string, method: string) =>
      events.filter((e) => e.side === side && e.trace.method === method).map((e) => e.event);
    expect(of('client', 'add')).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(of('client', 'refuse')).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(of('client', 'later')).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(of('server', 'add')).toEqual(['start', 'end']);
    expect(of('server', 'refuse')).toEqual(['start', 'error', 'end']);
    expect(of('server', 'later')).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(events.some((e) => e.trace.method === 'note')).toBe(false);
    const done = events.filter((e) => e.side === 'client' && e.event === 'asyncEnd');
    expect(done.map((e) => [e.trace.method, e.trace.result, e.trace.errorCode])).toEqual([
      ['add', 2, undefined],
      ['refuse', undefined, -32050],
      ['later', 6, undefined],
    ]);
  });

  it('publish a request the server sends its client on the client channel, its handling on the server channel', async () => {
    const { client } = await setup();
    client.on('echo', ([text]: [string]) => `echo: ${text}`);
    const { events } = record();
    expect(await client.request('askClient', ['echo'])).toBe('echo: from server');
    const echo = events.filter((e) => e.trace.method === 'echo');
    expect(sequence(echo)).toEqual([
      'client:start',
      'client:end',
      'server:start',
      'server:end',
      'client:asyncStart',
      'client:asyncEnd',
    ]);
    expect(echo[3]?.trace).toMatchObject({ params: ['from server'], result: 'echo: from server' });
  });

  it('run the handler in the store a subscriber binds to start', async () => {
    const store = new AsyncLocalStorage<string>();
    const start = tracingChannel<unknown, RpcTraceContext>(SERVER_TRACING_CHANNEL).start;
    start.bindStore(store, (trace) => `call ${String(trace.id)}`);
    onTestFinished(() => {
      start.unbindStore(store);
    });
    const { address } = await startServer({
      methods: {
        where: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          return store.getStore() ?? 'outside';
        },
      },
    });
    const client = await connectRpc(transport, address);
    onTestFinished(() => client.close());
    expect(await client.request('where')).toBe('call 1');
    expect(await client.request('where')).toBe('call 2');
    expect(store.getStore()).toBeUndefined();
  });
});
