import { describe, expect, it } from 'vitest';
import { RpcError } from '../src/index.js';
import { RawClient, startServer } from './helpers/rpc.js';

const methods = {
  echo: (params: unknown) => params,
  sum: (params: number[]) => params.reduce((a, b) => a + b, 0),
  nothing: () => undefined,
  fail: () => {
    throw new Error('secret detail at /home/me/.keys');
  },
  failDeclared: () => {
    throw new RpcError(-32010, 'quota exceeded', { retryAfter: 5 });
  },
  failAsync: async () => {
    throw new TypeError('boom');
  },
};

const error = (id: unknown, code: number) => ({
  jsonrpc: '2.0',
  id,
  error: expect.objectContaining({ code, message: expect.any(String) }),
});

async function client() {
  const { address } = await startServer({ methods });
  return RawClient.connect(address);
}

describe('spec conformance (raw bytes over a Unix socket)', () => {
  it('answers a request with its result, and null for a handler that returns nothing', async () => {
    const c = await client();
    c.sendJson(
      { jsonrpc: '2.0', id: 1, method: 'sum', params: [1, 2, 3] },
      { jsonrpc: '2.0', id: 2, method: 'nothing' },
    );
    expect(await c.take(2)).toEqual([
      { jsonrpc: '2.0', id: 1, result: 6 },
      { jsonrpc: '2.0', id: 2, result: null },
    ]);
  });

  it('gives notifications no answer', async () => {
    const c = await client();
    c.sendJson(
      { jsonrpc: '2.0', method: 'echo', params: [1] },
      { jsonrpc: '2.0', method: 'missing' },
      { jsonrpc: '2.0', method: 'fail' },
      { jsonrpc: '2.0', id: 'after', method: 'echo', params: ['x'] },
    );
    expect(await c.take(1)).toEqual([{ jsonrpc: '2.0', id: 'after', result: ['x'] }]);
  });

  it('returns ids exactly as sent, type included', async () => {
    const c = await client();
    const ids = ['1', 1, 0, -7, 2.5, '', 'é𝄞', null, 'x'.repeat(500), 9007199254740991];
    c.sendJson(...ids.map((id) => ({ jsonrpc: '2.0', id, method: 'echo', params: [id] })));
    const answers = (await c.take(ids.length)) as Array<{ id: unknown; result: unknown[] }>;
    expect(answers.map((a) => a.id)).toEqual(ids);
    expect(answers.map((a) => a.result[0])).toEqual(ids);
  });

  it('answers unparsable JSON with -32700 and id null, then carries on', async () => {
    const c = await client();
    c.send('{"jsonrpc":"2.0","id":1,"method":"echo",}\n');
    c.send('{"jsonrpc":"2.0","id":2,"method":"echo","params":[2]}\n');
    c.send('not json at all\n{"jsonrpc":"2.0","id":3,"method":"echo","params":[3]}');
    // Answers may come in any order (errors are answered at once, results when ready).
    const answers = await c.take(4);
    expect(answers).toHaveLength(4);
    expect(answers).toEqual(
      expect.arrayContaining([
        { jsonrpc: '2.0', id: 2, result: [2] },
        { jsonrpc: '2.0', id: 3, result: [3] },
      ]),
    );
    expect(answers.filter((a) => (a as { id: unknown }).id === null)).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
    ]);
  });

  it('answers what is not a request with -32600, keeping a valid id', async () => {
    const c = await client();
    c.sendJson(
      { jsonrpc: '1.0', id: 1, method: 'echo' },
      { id: 2, method: 'echo' },
      { jsonrpc: '2.0', id: 3, method: 5 },
      { jsonrpc: '2.0', id: 4, method: 'echo', params: 'a string' },
      { jsonrpc: '2.0', id: { nested: true }, method: 'echo' },
      { jsonrpc: '2.0', method: 1, params: 'bar' },
      null,
      42,
      'text',
    );
    expect(await c.take(9)).toEqual([
      error(1, -32600),
      error(2, -32600),
      error(3, -32600),
      error(4, -32600),
      error(null, -32600),
      error(null, -32600),
      error(null, -32600),
      error(null, -32600),
      error(null, -32600),
    ]);
  });

  it('answers unknown methods with -32601, including Object.prototype names', async () => {
    const c = await client();
    const names = ['missing', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];
    c.sendJson(...names.map((method, id) => ({ jsonrpc: '2.0', id, method })));
    expect(await c.take(names.length)).toEqual(names.map((_, id) => error(id, -32601)));
  });

  it('maps a thrown plain Error to -32603 without its message or stack', async () => {
    const c = await client();
    c.sendJson(
      { jsonrpc: '2.0', id: 1, method: 'fail' },
      { jsonrpc: '2.0', id: 2, method: 'failAsync' },
    );
    const answers = await c.take(2);
    expect(answers).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } },
      { jsonrpc: '2.0', id: 2, error: { code: -32603, message: 'Internal error' } },
    ]);
    expect(JSON.stringify(answers)).not.toMatch(/secret|at |\.ts|boom/);
  });

  it("keeps a handler's declared code, message and data", async () => {
    const c = await client();
    c.sendJson({ jsonrpc: '2.0', id: 1, method: 'failDeclared' });
    expect(await c.one()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32010, message: 'quota exceeded', data: { retryAfter: 5 } },
    });
  });

  describe('batches', () => {
    it('answers a one-element batch with a one-element array', async () => {
      const c = await client();
      c.sendJson([{ jsonrpc: '2.0', id: 1, method: 'echo', params: [1] }]);
      expect(await c.one()).toEqual([{ jsonrpc: '2.0', id: 1, result: [1] }]);
    });

    it('answers an empty batch with a single -32600', async () => {
      const c = await client();
      c.send('[]\n');
      expect(await c.one()).toEqual(error(null, -32600));
    });

    it('answers invalid entries with -32600 entries, not a crash', async () => {
      const c = await client();
      c.send('[null]\n[1,2,3]\n');
      expect(await c.take(2)).toEqual([
        [error(null, -32600)],
        [error(null, -32600), error(null, -32600), error(null, -32600)],
      ]);
    });

    it('answers a mixed batch in order, leaving notifications out', async () => {
      const c = await client();
      c.sendJson([
        { jsonrpc: '2.0', id: 'a', method: 'sum', params: [1, 2] },
        { jsonrpc: '2.0', method: 'echo', params: [0] },
        { foo: 'boo' },
        { jsonrpc: '2.0', id: 'b', method: 'missing' },
        { jsonrpc: '2.0', id: 'c', method: 'fail' },
      ]);
      expect(await c.one()).toEqual([
        { jsonrpc: '2.0', id: 'a', result: 3 },
        error(null, -32600),
        error('b', -32601),
        error('c', -32603),
      ]);
    });

    it('sends nothing for a batch of notifications only', async () => {
      const c = await client();
      c.sendJson([
        { jsonrpc: '2.0', method: 'echo' },
        { jsonrpc: '2.0', method: 'missing' },
      ]);
      c.sendJson({ jsonrpc: '2.0', id: 'next', method: 'nothing' });
      expect(await c.one()).toEqual({ jsonrpc: '2.0', id: 'next', result: null });
    });

    it('refuses a batch over maxBatchSize with a single -32600', async () => {
      const { address } = await startServer({ methods, limits: { maxBatchSize: 3 } });
      const c = await RawClient.connect(address);
      const call = { jsonrpc: '2.0', id: 1, method: 'nothing' };
      c.sendJson([call, call, call, call], [call, call, call]);
      const [refused, answered] = await c.take(2);
      expect(refused).toEqual(error(null, -32600));
      expect(answered).toHaveLength(3);
    });
  });

  it('answers concatenated requests without newlines (web3 style)', async () => {
    const c = await client();
    c.send(
      '{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}{"jsonrpc":"2.0","id":2,"method":"echo","params":[2]} [{"jsonrpc":"2.0","id":3,"method":"echo","params":[3]}]',
    );
    expect(await c.take(3)).toEqual([
      { jsonrpc: '2.0', id: 1, result: [1] },
      { jsonrpc: '2.0', id: 2, result: [2] },
      [{ jsonrpc: '2.0', id: 3, result: [3] }],
    ]);
  });

  it('answers a request split across many writes, with UTF-8 split mid-character', async () => {
    const c = await client();
    const bytes = Buffer.from('{"jsonrpc":"2.0","id":"日本","method":"echo","params":["𝄞é"]}\n');
    for (let i = 0; i < bytes.length; i++) {
      c.send(bytes.subarray(i, i + 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await c.one()).toEqual({ jsonrpc: '2.0', id: '日本', result: ['𝄞é'] });
  });
});
