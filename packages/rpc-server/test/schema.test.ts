import type { StandardSchemaV1 } from '@standard-schema/spec';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  connectRpc,
  createRpcServer,
  defineMethods,
  ResultSchemaError,
  type RpcContext,
  RpcError,
  RpcErrorCode,
} from '../src/index.js';
import { deferred, RawClient, startServer } from './helpers/rpc.js';
import { transport } from './helpers/transport.js';

/** The error a request rejected with (it must reject). */
async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

/** A hand-written Standard Schema v1 (no library): async, with `{ key }` path segments. */
const evenCount: StandardSchemaV1<{ count: number }> = {
  '~standard': {
    version: 1,
    vendor: 'localwire-test',
    validate: async (value) => {
      await new Promise((resolve) => setImmediate(resolve));
      const count = (value as { count?: unknown } | undefined)?.count;
      if (typeof count === 'number' && count % 2 === 0) return { value: { count } };
      return { issues: [{ message: 'count must be even', path: [{ key: 'count' }] }] };
    },
  },
};

const methods = defineMethods({
  greet: {
    params: z.object({ name: z.string(), times: z.number().int().positive().default(1) }),
    handler: ({ name, times }) => `hello ${name}`.repeat(times),
  },
  length: {
    params: z.tuple([z.string().transform((text) => text.length)]),
    handler: ([n]) => n,
  },
  move: {
    params: v.tuple([v.number(), v.object({ x: v.number(), y: v.number() })]),
    handler: ([id, { x, y }]) => ({ id, at: [x, y] }),
  },
  reserve: {
    params: z.object({ seat: z.string() }).refine(
      async ({ seat }) => {
        await new Promise((resolve) => setImmediate(resolve));
        return seat !== '13';
      },
      { message: 'seat 13 is taken', path: ['seat'] },
    ),
    handler: async ({ seat }) => `reserved ${seat}`,
  },
  upper: {
    params: v.pipeAsync(
      v.tuple([v.string()]),
      v.checkAsync(async ([text]) => text !== '', 'text must not be empty'),
    ),
    handler: ([text]) => text.toUpperCase(),
  },
  half: { params: evenCount, handler: ({ count }) => count / 2 },
  when: {
    result: z.date().transform((date) => date.toISOString()),
    handler: (_: []) => new Date(Date.UTC(2020, 0, 2)),
  },
  ping: () => 'pong',
});

describe('Standard Schema params', () => {
  it('gives the handler the schema output, over a typed client', async () => {
    const { address } = await startServer({ methods });
    const client = await connectRpc<typeof methods>(transport, address);
    expect(await client.request('greet', { name: 'Ada' })).toBe('hello Ada');
    expect(await client.request('greet', { name: 'Ada', times: 2 })).toBe('hello Adahello Ada');
    expect(await client.request('length', ['four'])).toBe(4);
    expect(await client.request('move', [7, { x: 1, y: 2 }])).toEqual({ id: 7, at: [1, 2] });
    expect(await client.request('ping')).toBe('pong');
    expect(
      await client.batch([
        { method: 'greet', params: { name: 'Bo' } },
        { method: 'length', params: ['abc'] },
        { method: 'ping', notification: true },
      ]),
    ).toEqual([{ ok: true, result: 'hello Bo' }, { ok: true, result: 3 }, undefined]);
    await client.close();
  });

  it('answers -32602 with data.issues as [{ message, path }] for zod and valibot', async () => {
    // exposeErrorMessages is false (the default): the issues are sent anyway.
    const { address } = await startServer({ methods });
    const client = await connectRpc(transport, address);

    const zod = await rejection(client.request('greet', { name: 5, times: -1 }));
    expect(zod.code).toBe(-32602);
    expect(zod.data).toEqual({
      issues: [
        { message: expect.any(String), path: ['name'] },
        { message: expect.any(String), path: ['times'] },
      ],
    });
    const [nameIssue, timesIssue] = (zod.data as { issues: { message: string }[] }).issues;
    expect(zod.message).toBe(
      `Invalid params: ${nameIssue?.message} (at name); ${timesIssue?.message} (at times)`,
    );

    const valibot = await rejection(client.request('move', [7, { x: 1, y: 'two' }]));
    expect(valibot.code).toBe(-32602);
    // valibot's path segments are objects ({ key, … }): sent as plain keys.
    expect(valibot.data).toEqual({ issues: [{ message: expect.any(String), path: [1, 'y'] }] });
    expect(valibot.message).toMatch(/^Invalid params: .+ \(at \[1\]\.y\)$/);

    // Params that are not even the right shape: the issue is at the root, path [].
    const root = await rejection(client.request('length', { text: 'x' }));
    expect(root.data).toEqual({ issues: [{ message: expect.any(String), path: [] }] });
    await client.close();
  });

  it('awaits async schemas: zod and valibot refinements, a hand-written schema', async () => {
    const { address } = await startServer({ methods });
    const client = await connectRpc(transport, address);
    expect(await client.request('reserve', { seat: '12' })).toBe('reserved 12');
    expect(await client.request('upper', ['abc'])).toBe('ABC');
    expect(await client.request('half', { count: 8 })).toBe(4);

    const taken = await rejection(client.request('reserve', { seat: '13' }));
    expect(taken.code).toBe(-32602);
    expect(taken.message).toBe('Invalid params: seat 13 is taken (at seat)');
    expect(taken.data).toEqual({ issues: [{ message: 'seat 13 is taken', path: ['seat'] }] });

    const empty = await rejection(client.request('upper', ['']));
    expect(empty.data).toEqual({ issues: [{ message: 'text must not be empty', path: [] }] });

    const odd = await rejection(client.request('half', { count: 3 }));
    expect(odd.message).toBe('Invalid params: count must be even (at count)');
    expect(odd.data).toEqual({ issues: [{ message: 'count must be even', path: ['count'] }] });
    await client.close();
  });

  it('answers each call of a batch on its own, and never answers a refused notification', async () => {
    const errors: unknown[] = [];
    const { address } = await startServer({ methods, onError: (error) => errors.push(error) });
    const c = await RawClient.connect(address);
    c.sendJson([
      { jsonrpc: '2.0', id: 1, method: 'greet', params: { name: 'Ada' } },
      { jsonrpc: '2.0', id: 2, method: 'greet', params: { name: [] } },
      { jsonrpc: '2.0', method: 'greet', params: {} },
      { jsonrpc: '2.0', id: 3, method: 'half', params: { count: 1 } },
    ]);
    const [answers] = (await c.take(1)) as [Array<{ id: number; error?: { code: number } }>];
    expect(answers.map((a) => [a.id, a.error?.code])).toEqual([
      [1, undefined],
      [2, -32602],
      [3, -32602],
    ]);
    // A caller's bad params are the caller's business, not the server's errors.
    expect(errors).toEqual([]);
  });

  it('treats a callable object with ~standard as a schema, not as a check function', async () => {
    // arktype's schemas are functions that return errors instead of throwing.
    const callable = Object.assign(() => 'called as a function', {
      '~standard': {
        version: 1,
        vendor: 'callable',
        validate: (value: unknown) =>
          Array.isArray(value) ? { value: value.length } : { issues: [{ message: 'an array' }] },
      },
    }) as unknown as StandardSchemaV1<unknown, number>;
    const { address } = await startServer({
      methods: { count: { params: callable, handler: (n: number) => n } },
    });
    const client = await connectRpc(transport, address);
    expect(await client.request('count', [1, 2, 3])).toBe(3);
    const refused = await rejection(client.request('count', { a: 1 }));
    expect(refused.data).toEqual({ issues: [{ message: 'an array', path: [] }] });
    await client.close();
  });
});

describe('result schemas', () => {
  it('sends the result schema output', async () => {
    const { address } = await startServer({ methods });
    const client = await connectRpc<typeof methods>(transport, address);
    expect(await client.request('when', [])).toBe('2020-01-02T00:00:00.000Z');
    await client.close();
  });

  it('answers -32603 for a result the schema refuses, and reports it to onError', async () => {
    const errors: unknown[] = [];
    const { address } = await startServer({
      methods: {
        count: {
          params: z.tuple([z.number()]),
          result: z.number().int(),
          handler: ([n]) => n / 2,
        },
        later: {
          result: v.pipeAsync(
            v.string(),
            v.checkAsync(async (text) => text.length < 3, 'too long'),
          ),
          handler: async () => 'long',
        },
      },
      onError: (error) => errors.push(error),
    });
    const client = await connectRpc(transport, address);
    expect(await client.request('count', [4])).toBe(2);
    const refused = await rejection(client.request('count', [3]));
    expect({ code: refused.code, message: refused.message, data: refused.data }).toEqual({
      code: -32603,
      message: 'Internal error',
      data: undefined,
    });
    const late = await rejection(client.request('later'));
    expect([late.code, late.message]).toEqual([-32603, 'Internal error']);

    expect(errors).toHaveLength(2);
    const [first, second] = errors as ResultSchemaError[];
    expect(first).toBeInstanceOf(ResultSchemaError);
    expect(first?.method).toBe('count');
    expect(first?.issues).toEqual([{ message: expect.any(String), path: [] }]);
    expect(first?.message).toMatch(/^the result of "count" fails its result schema: /);
    expect(second).toBeInstanceOf(ResultSchemaError);
    expect(second?.issues).toEqual([{ message: 'too long', path: [] }]);
    await client.close();
  });

  it('sends the refusal message with exposeErrorMessages', async () => {
    const { address } = await startServer({
      methods: { name: { result: z.string(), handler: () => 42 as unknown as string } },
      exposeErrorMessages: true,
    });
    const client = await connectRpc(transport, address);
    const refused = await rejection(client.request('name'));
    expect(refused.code).toBe(-32603);
    expect(refused.message).toMatch(/^the result of "name" fails its result schema: .+/);
    await client.close();
  });
});

describe('checks that stay as they were', () => {
  it('keeps plain function params checks and untyped clients working', async () => {
    const { address } = await startServer({
      methods: {
        add: {
          params: (params: unknown) => {
            if (!Array.isArray(params) || params.length !== 2) {
              throw new RpcError(RpcErrorCode.InvalidParams, 'Invalid params: expected [a, b]');
            }
            return params as [number, number];
          },
          handler: ([a, b]: [number, number]) => a + b,
        },
        echo: (params: unknown) => params,
      },
    });
    const client = await connectRpc(transport, address);
    expect(await client.request<number>('add', [1, 2])).toBe(3);
    expect(await client.request('echo', { a: [1] })).toEqual({ a: [1] });
    const refused = await rejection(client.request('add', [1]));
    expect([refused.code, refused.message, refused.data]).toEqual([
      -32602,
      'Invalid params: expected [a, b]',
      undefined,
    ]);
    expect(await client.batch([{ method: 'add', params: [2, 2] }])).toEqual([
      { ok: true, result: 4 },
    ]);
    await client.close();
  });

  it('refuses a malformed definition when the server is created, naming the method', () => {
    const bad = (definition: unknown) => () =>
      createRpcServer({ methods: { broken: definition as () => void } });
    expect(bad({ params: 5, handler: () => 1 })).toThrow(
      new TypeError('method "broken": params must be a Standard Schema v1 validator or a function'),
    );
    expect(bad({ result: () => 1, handler: () => 1 })).toThrow(
      new TypeError('method "broken": result must be a Standard Schema v1 validator'),
    );
    expect(bad({ params: z.string() })).toThrow(
      new TypeError('method "broken": handler must be a function'),
    );
  });
});

describe('a client serving the server, with schemas', () => {
  it('checks the params of the server’s calls to the client, and types ctx.request', async () => {
    interface ClientSide {
      confirm(params: { question: string }): boolean;
    }
    const asked = deferred<string>();
    const { address } = await startServer({
      methods: defineMethods({
        remove: async ([path]: [string], ctx: RpcContext<ClientSide>) => {
          const sure = await ctx.request('confirm', { question: `remove ${path}?` });
          return sure ? 'removed' : 'kept';
        },
        probe: async (_: [], ctx: RpcContext) => {
          try {
            return await ctx.request('confirm', { question: 7 });
          } catch (error) {
            return (error as RpcError).data;
          }
        },
      }),
    });
    const client = await connectRpc<{ remove(params: [string]): string }, ClientSide>(
      transport,
      address,
    );
    client.on('confirm', {
      params: z.object({ question: z.string() }),
      handler: ({ question }: { question: string }) => {
        asked.resolve(question);
        return true;
      },
    });
    expect(await client.request('remove', ['/tmp/x'])).toBe('removed');
    expect(await asked.promise).toBe('remove /tmp/x?');
    const untyped = await connectRpc(transport, address);
    untyped.on('confirm', { params: z.object({ question: z.string() }), handler: () => true });
    expect(await untyped.request('probe', [])).toEqual({
      issues: [{ message: expect.any(String), path: ['question'] }],
    });
    await Promise.all([client.close(), untyped.close()]);
  });
});
