import type { JSONRPCRequest, JSONRPCResponse } from 'json-rpc-2.0';
import { describe, expect, it } from 'vitest';
import { CallContext, type CallHost, CallsInFlight } from '../src/call-context.js';
import { type DispatchTarget, dispatch, dispatchLate, type Reply } from '../src/dispatch.js';
import { RpcError } from '../src/errors.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { MethodTable } from '../src/methods.js';
import { deferred } from './helpers/rpc.js';

/** A connection-less host: dispatch only needs what a context reads through to. */
function connectionless(): CallHost {
  return {
    connection: undefined as never,
    peer: undefined,
    limits: DEFAULT_LIMITS,
    calls: new CallsInFlight(),
    closedWith: undefined,
    notify: () => {},
    request: () => Promise.reject(new Error('no peer here')),
  };
}

/** A dispatch target that records what dispatch does with each message. */
function recorder(
  methods: Record<string, (params: unknown, context: CallContext) => unknown>,
  maxBatchSize = 10,
) {
  const host = connectionless();
  const sent: Array<JSONRPCResponse | JSONRPCResponse[]> = [];
  const tracked: Array<{ weight: number; reply: PromiseLike<Reply> }> = [];
  const responses: JSONRPCResponse[] = [];
  const contexts: CallContext[] = [];
  const target: DispatchTarget = {
    methods: new MethodTable(methods, { exposeErrorMessages: false, onError: () => {} }),
    maxBatchSize,
    peer: undefined,
    cancelMethod: '$/cancelRequest',
    context(request: JSONRPCRequest) {
      const context = new CallContext(host, request.id);
      host.calls.add(context);
      contexts.push(context);
      return context;
    },
    cancel: (id) => host.calls.cancel(id),
    response: (response) => responses.push(response),
    respond: (reply) => sent.push(reply),
    track: (weight, reply) => tracked.push({ weight, reply }),
  };
  return { target, sent, tracked, responses, contexts, host };
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
    // A context is made only for a method there is.
    expect(contexts.map((c) => c.id)).toEqual([undefined]);
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

  it('answers a call cancelled while it runs -32800, whatever its handler then returns', async () => {
    const release = deferred();
    const seen: AbortSignal[] = [];
    const { target, tracked } = recorder({
      honours: (_params, context) =>
        new Promise((_resolve, reject) => {
          context.signal.addEventListener('abort', () => reject(context.signal.reason));
        }),
      ignores: async (_params, context) => {
        seen.push(context.signal);
        await release.promise;
        return 'finished anyway';
      },
      other: async () => {
        await release.promise;
        return 'not cancelled';
      },
    });
    dispatch({ jsonrpc: '2.0', id: 1, method: 'honours' }, target);
    dispatch({ jsonrpc: '2.0', id: 2, method: 'ignores' }, target);
    dispatch({ jsonrpc: '2.0', id: 3, method: 'other' }, target);
    dispatch({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } }, target);
    dispatch([{ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 2 } }], target);
    expect(seen[0]!.aborted).toBe(true);
    expect(seen[0]!.reason).toMatchObject({ code: -32800, message: 'Request cancelled' });
    release.resolve();
    const cancelled = { code: -32800, message: 'Request cancelled' };
    expect(await Promise.all(tracked.map((t) => t.reply))).toEqual([
      { jsonrpc: '2.0', id: 1, error: cancelled },
      { jsonrpc: '2.0', id: 2, error: cancelled },
      { jsonrpc: '2.0', id: 3, result: 'not cancelled' },
    ]);
  });

  it('ignores a cancel for an unknown or finished id, or without an id, and answers none', async () => {
    const { target, sent, tracked, contexts } = recorder(methods);
    dispatch({ jsonrpc: '2.0', id: 1, method: 'add', params: [1] }, target);
    dispatch({ jsonrpc: '2.0', id: 2, method: 'later', params: [] }, target);
    await tracked[0]!.reply;
    for (const params of [{ id: 1 }, { id: 2 }, { id: 99 }, {}, [1], undefined]) {
      dispatch({ jsonrpc: '2.0', method: '$/cancelRequest', params }, target);
    }
    expect(sent).toEqual([{ jsonrpc: '2.0', id: 1, result: 1 }]);
    expect(contexts.map((c) => c.aborted)).toEqual([false, false]);
  });

  it('makes no AbortController for a call whose handler never reads its signal', () => {
    const { target, contexts } = recorder(methods);
    dispatch({ jsonrpc: '2.0', id: 1, method: 'later', params: [] }, target);
    dispatch({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } }, target);
    // Cancelled, yet nothing was made for its signal until now: reading it
    // makes one, aborted already.
    expect(contexts[0]!.aborted).toBe(true);
    expect(contexts[0]!.signal.aborted).toBe(true);
  });

  it('takes only cancels from what comes once input has stopped', () => {
    const { target, sent, tracked, responses, contexts } = recorder(methods);
    dispatch({ jsonrpc: '2.0', id: 1, method: 'later', params: [] }, target);
    dispatch({ jsonrpc: '2.0', id: 2, method: 'later', params: [] }, target);
    dispatchLate({ jsonrpc: '2.0', id: 3, method: 'add', params: [1] }, target);
    dispatchLate({ jsonrpc: '2.0', id: 9, result: 'mine' }, target);
    dispatchLate({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } }, target);
    dispatchLate(
      [
        { jsonrpc: '2.0', id: 4, method: 'add', params: [] },
        { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 2 } },
      ],
      target,
    );
    expect(sent).toEqual([]);
    expect(responses).toEqual([]);
    expect(tracked).toHaveLength(2);
    expect(contexts.map((c) => [c.id, c.aborted])).toEqual([
      [1, true],
      [2, true],
    ]);
  });
});
