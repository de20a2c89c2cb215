import type { JSONRPCRequest, JSONRPCResponse } from 'json-rpc-2.0';
import { describe, expect, it } from 'vitest';
import { CallContext, type CallHost } from '../src/call-context.js';
import { type DispatchTarget, dispatch, type Reply } from '../src/dispatch.js';
import { RpcError } from '../src/errors.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { MethodTable } from '../src/methods.js';

/** A connection-less host: dispatch only needs what a context reads through to. */
const host: CallHost = {
  connection: undefined as never,
  peer: undefined,
  limits: DEFAULT_LIMITS,
  signal: new AbortController().signal,
  notify: () => {},
  request: () => Promise.reject(new Error('no peer here')),
};

/** A dispatch target that records what dispatch does with each message. */
function recorder(methods: Record<string, (params: unknown) => unknown>, maxBatchSize = 10) {
  const sent: Array<JSONRPCResponse | JSONRPCResponse[]> = [];
  const tracked: Array<{ weight: number; reply: PromiseLike<Reply> }> = [];
  const responses: JSONRPCResponse[] = [];
  const contexts: CallContext[] = [];
  const target: DispatchTarget = {
    methods: new MethodTable(methods, { exposeErrorMessages: false, onError: () => {} }),
    maxBatchSize,
    context(request: JSONRPCRequest) {
      const context = new CallContext(host, request.id);
      contexts.push(context);
      return context;
    },
    response: (response) => responses.push(response),
    respond: (reply) => sent.push(reply),
    track: (weight, reply) => tracked.push({ weight, reply }),
  };
  return { target, sent, tracked, responses, contexts };
}

const methods = {
  add: (params: unknown) => (params as number[]).reduce((a, b) => a + b, 0),
  later: async (params: unknown) => params,
  refuse: () => {
    throw new RpcError(-32042, 'no');
  },
};

describe('dispatch (no connection)', () => {
  it('answers a synchronous request at once, with a context carrying its id', () => {
    const { target, sent, tracked, contexts } = recorder(methods);
    dispatch({ jsonrpc: '2.0', id: 7, method: 'add', params: [1, 2] }, target);
    expect(sent).toEqual([{ jsonrpc: '2.0', id: 7, result: 3 }]);
    expect(tracked).toEqual([]);
    expect(contexts.map((c) => c.id)).toEqual([7]);
  });

  it('tracks an asynchronous request with weight 1 until its answer settles', async () => {
    const { target, sent, tracked } = recorder(methods);
    dispatch({ jsonrpc: '2.0', id: 'a', method: 'later', params: ['x'] }, target);
    expect(sent).toEqual([]);
    expect(tracked.map((t) => t.weight)).toEqual([1]);
    expect(await tracked[0]!.reply).toEqual({ jsonrpc: '2.0', id: 'a', result: ['x'] });
  });

  it('sends nothing for a notification, and a context without an id', () => {
    const { target, sent, tracked, contexts } = recorder(methods);
    dispatch({ jsonrpc: '2.0', method: 'add', params: [1] }, target);
    dispatch({ jsonrpc: '2.0', method: 'missing' }, target);
    expect(sent).toEqual([]);
    expect(tracked).toEqual([]);
    expect(contexts.map((c) => c.id)).toEqual([undefined, undefined]);
  });

  it('hands answers to this side’s requests on, and answers what is neither with -32600', () => {
    const { target, sent, responses } = recorder(methods);
    dispatch({ jsonrpc: '2.0', id: 3, result: 'ok' }, target);
    dispatch({ jsonrpc: '2.0', id: 4, method: 5 }, target);
    expect(responses).toEqual([{ jsonrpc: '2.0', id: 3, result: 'ok' }]);
    expect(sent).toEqual([
      { jsonrpc: '2.0', id: 4, error: { code: -32600, message: 'Invalid Request' } },
    ]);
  });

  it('answers a batch as one array in order, weighing only its asynchronous entries', async () => {
    const { target, sent, tracked, responses } = recorder(methods);
    dispatch(
      [
        { jsonrpc: '2.0', id: 1, method: 'add', params: [2, 2] },
        { jsonrpc: '2.0', id: 2, method: 'later', params: [1] },
        { jsonrpc: '2.0', method: 'add', params: [] },
        { jsonrpc: '2.0', id: 9, result: 'mine' },
        { jsonrpc: '2.0', id: 3, method: 'refuse' },
        { jsonrpc: '2.0', id: 4, method: 'later', params: [2] },
      ],
      target,
    );
    expect(sent).toEqual([]);
    expect(responses).toEqual([{ jsonrpc: '2.0', id: 9, result: 'mine' }]);
    expect(tracked.map((t) => t.weight)).toEqual([2]);
    expect(await tracked[0]!.reply).toEqual([
      { jsonrpc: '2.0', id: 1, result: 4 },
      { jsonrpc: '2.0', id: 2, result: [1] },
      { jsonrpc: '2.0', id: 3, error: { code: -32042, message: 'no' } },
      { jsonrpc: '2.0', id: 4, result: [2] },
    ]);
  });

  it('sends nothing for a batch of notifications, refuses an empty one and one over the limit', () => {
    const { target, sent } = recorder(methods, 2);
    dispatch([{ jsonrpc: '2.0', method: 'add', params: [1] }], target);
    expect(sent).toEqual([]);
    dispatch([], target);
    const call = { jsonrpc: '2.0', id: 1, method: 'add', params: [] };
    dispatch([call, call, call], target);
    // Answers to this side's own batch are taken whatever their number.
    const answer = { jsonrpc: '2.0', id: 1, result: 0 };
    dispatch([answer, answer, answer], target);
    expect(sent).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } },
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Invalid Request: a batch of 3 exceeds the limit of 2' },
      },
    ]);
  });
});
