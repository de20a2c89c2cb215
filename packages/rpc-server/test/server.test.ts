import { describe, expect, it } from 'vitest';
import {
  connectRpc,
  createRpcServer,
  type RpcContext,
  RpcError,
  RpcErrorCode,
} from '../src/index.js';
import { tempAddress } from './helpers/address.js';
import { deferred, RawClient, startServer, until } from './helpers/rpc.js';
import { ownPeer, transport } from './helpers/transport.js';

/** The one message a server sends a connection its `authorize` refused (issue 12, item 4). */
function refusal(address: string) {
  return {
    jsonrpc: '2.0',
    id: null,
    error: {
      code: RpcErrorCode.ConnectionRefused,
      message: expect.stringContaining(`the server at ${address} refused this connection`),
    },
  };
}

describe('rpc server', () => {
  it('gives each call a context of its own, with the connection and its peer', async () => {
    const seen: RpcContext[] = [];
    const { address } = await startServer({
      methods: {
        whoami: (_params: unknown, context: RpcContext) => {
          seen.push(context);
          return { peer: context.peer ?? null };
        },
      },
    });
    const a = await connectRpc(transport, address);
    const b = await connectRpc(transport, address);
    await a.request('whoami');
    await a.request('whoami');
    await b.request('whoami');
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[0]!.connection).toBe(seen[1]!.connection);
    expect(seen[0]!.connection).not.toBe(seen[2]!.connection);
    // The transport's credentials: the client is this very process, run by
    // this user (on Windows, the SID a client reads as the pipe's owner).
    const callers = [a, a, b];
    for (const [i, context] of seen.entries()) {
      expect(context.peer).toBe(context.connection.peer);
      const own = ownPeer(callers[i]!.connection);
      for (const field of transport.capabilities.peerCredentials) {
        expect(context.peer?.[field], field).toBeDefined();
        expect(context.peer?.[field], field).toBe(own[field]);
      }
      expect(context.signal.aborted).toBe(false);
    }
  });

  it('aborts the signal of a call still running when its connection closes', async () => {
    const running = deferred<RpcContext>();
    const { address } = await startServer({
      methods: {
        hang: (_params: unknown, context: RpcContext) =>
          new Promise((_resolve, reject) => {
            context.signal.addEventListener('abort', () => reject(context.signal.reason));
            running.resolve(context);
          }),
      },
    });
    const client = await connectRpc(transport, address);
    const answer = client.request('hang').catch((error: unknown) => error);
    const context = await running.promise;
    expect(context.signal.aborted).toBe(false);
    context.connection.destroy();
    await until(() => context.signal.aborted, 'the call’s signal to abort on close');
    expect(await answer).toMatchObject({ code: 'ECONNRESET' });
  });

  it('lets a handler notify and call back the client that called it', async () => {
    const { address } = await startServer({
      methods: {
        greet: async (params: [string], context: RpcContext) => {
          context.notify('log', [`greeting ${params[0]}`]);
          const name = await context.request<string>('clientName', []);
          return `hello ${params[0]}, from a server talking to ${name}`;
        },
      },
    });
    const client = await connectRpc(transport, address);
    const logs: unknown[] = [];
    client.on('log', (params: unknown) => {
      logs.push(params);
    });
    client.on('clientName', () => 'client-7');
    expect(await client.request('greet', ['ada'])).toBe(
      'hello ada, from a server talking to client-7',
    );
    expect(logs).toEqual([['greeting ada']]);
  });

  it('refuses a connection in authorize before reading any request', async () => {
    let calls = 0;
    const peers: unknown[] = [];
    const { address } = await startServer({
      methods: {
        touch: () => {
          calls++;
          return true;
        },
      },
      authorize: async (peer, connection) => {
        peers.push([peer, connection.peer]);
        return peers.length !== 2;
      },
    });
    const allowed = await RawClient.connect(address);
    allowed.sendJson({ jsonrpc: '2.0', id: 1, method: 'touch' });
    expect(await allowed.one()).toEqual({ jsonrpc: '2.0', id: 1, result: true });

    const refused = await RawClient.connect(address);
    refused.sendJson({ jsonrpc: '2.0', id: 2, method: 'touch' });
    // It is told so (issue 12, item 4), and nothing it sent is served.
    expect(await refused.rest()).toEqual([refusal(address)]);
    expect(calls).toBe(1);
    expect(peers).toHaveLength(2);
    for (const [peer, fromConnection] of peers as unknown[][]) expect(peer).toBe(fromConnection);
  });

  it('refuses, and reports, a connection whose authorize throws', async () => {
    const errors: unknown[] = [];
    const { address } = await startServer({
      authorize: () => {
        throw new Error('credential lookup failed');
      },
      onError: (error) => errors.push(error),
    });
    const refused = await RawClient.connect(address);
    expect(await refused.rest()).toEqual([refusal(address)]);
    expect(errors).toEqual([new Error('credential lookup failed')]);
  });

  it('validates params with a method definition, answering -32602', async () => {
    const { address } = await startServer({
      methods: {
        add: {
          params: (params: unknown): [number, number] => {
            if (
              !Array.isArray(params) ||
              params.length !== 2 ||
              !params.every((n) => typeof n === 'number')
            ) {
              throw new Error('expected [number, number]');
            }
            return params as [number, number];
          },
          handler: ([a, b]: [number, number]) => a + b,
        },
        strict: {
          params: () => {
            throw new RpcError(-32099, 'custom refusal');
          },
          handler: () => 'never',
        },
      },
    });
    const c = await RawClient.connect(address);
    c.sendJson(
      { jsonrpc: '2.0', id: 1, method: 'add', params: [2, 3] },
      { jsonrpc: '2.0', id: 2, method: 'add', params: ['2', 3] },
      { jsonrpc: '2.0', id: 3, method: 'add' },
      { jsonrpc: '2.0', id: 4, method: 'strict' },
    );
    expect(await c.take(4)).toEqual([
      { jsonrpc: '2.0', id: 1, result: 5 },
      {
        jsonrpc: '2.0',
        id: 2,
        error: { code: -32602, message: 'Invalid params' },
      },
      {
        jsonrpc: '2.0',
        id: 3,
        error: { code: -32602, message: 'Invalid params' },
      },
      { jsonrpc: '2.0', id: 4, error: { code: -32099, message: 'custom refusal' } },
    ]);
  });

  it('never sends the message of a params check that crashes, unless told to (issue 13)', async () => {
    const definition = {
      // Crashes on params without `a`: a TypeError naming the server's code.
      params: (params: unknown) => (params as { a: { b: number } }).a.b,
      handler: (b: number) => b,
    };
    const hidden = await startServer({ methods: { read: definition } });
    const c = await RawClient.connect(hidden.address);
    c.sendJson({ jsonrpc: '2.0', id: 1, method: 'read', params: {} });
    expect(await c.one()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32602, message: 'Invalid params' },
    });
    const shown = await startServer({ methods: { read: definition }, exposeErrorMessages: true });
    const d = await RawClient.connect(shown.address);
    d.sendJson({ jsonrpc: '2.0', id: 1, method: 'read', params: {} });
    expect(await d.one()).toMatchObject({
      error: { code: -32602, message: expect.stringContaining("reading 'b'") },
    });
  });

  it("tells a refused client why: its requests reject with EACCES and the server's message (issue 12, item 4)", async () => {
    let gate = deferred();
    const { address } = await startServer({
      methods: { touch: () => true },
      authorize: async () => {
        await gate.promise;
        return false;
      },
    });
    const client = await connectRpc(transport, address);
    // Sent before the refusal comes: pending, then refused.
    const pending = client.request('touch');
    gate.resolve();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'EACCES',
      message: expect.stringContaining(`the server at ${address} refused this connection`),
    });
    // Sent after: refused at once, with the same message.
    await expect(client.request('touch')).rejects.toMatchObject({
      code: 'EACCES',
      message: expect.stringContaining('refused this connection'),
    });
    gate = deferred();
  });

  it('reports unexpected handler errors to onError, and sends their message only when told to', async () => {
    const boom = new Error('disk on fire');
    const errors: unknown[] = [];
    const methods = {
      fail: () => {
        throw boom;
      },
      declared: () => {
        throw new RpcError(-32001, 'not reported');
      },
    };
    const { address } = await startServer({
      methods,
      exposeErrorMessages: true,
      onError: (error) => errors.push(error),
    });
    const c = await RawClient.connect(address);
    c.sendJson(
      { jsonrpc: '2.0', id: 1, method: 'fail' },
      { jsonrpc: '2.0', id: 2, method: 'declared' },
    );
    expect(await c.take(2)).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'disk on fire' } },
      { jsonrpc: '2.0', id: 2, error: { code: -32001, message: 'not reported' } },
    ]);
    expect(errors).toEqual([boom]);
  });

  it('answers -32603 for a result that cannot be serialized, and keeps serving', async () => {
    const errors: unknown[] = [];
    const { address } = await startServer({
      methods: { big: () => 10n, ok: () => 'fine' },
      onError: (error) => errors.push(error),
    });
    const c = await RawClient.connect(address);
    c.sendJson({ jsonrpc: '2.0', id: 1, method: 'big' }, [
      { jsonrpc: '2.0', id: 2, method: 'big' },
      { jsonrpc: '2.0', id: 3, method: 'ok' },
    ]);
    expect(await c.take(2)).toEqual([
      { jsonrpc: '2.0', id: 1, error: expect.objectContaining({ code: -32603 }) },
      [
        { jsonrpc: '2.0', id: 2, error: expect.objectContaining({ code: -32603 }) },
        { jsonrpc: '2.0', id: 3, result: 'fine' },
      ],
    ]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });

  it('answers -32603 for a result with no JSON form (a function, a symbol) rather than a response without a result', async () => {
    const errors: unknown[] = [];
    const { address } = await startServer({
      methods: {
        fn: () => () => 1,
        symbol: () => Symbol('s'),
        nested: () => ({ keep: 1, drop: () => 1 }),
      },
      onError: (error) => errors.push(error),
    });
    const c = await RawClient.connect(address);
    c.sendJson({ jsonrpc: '2.0', id: 1, method: 'fn' }, [
      { jsonrpc: '2.0', id: 2, method: 'symbol' },
      { jsonrpc: '2.0', id: 3, method: 'nested' },
    ]);
    const internal = expect.objectContaining({ code: -32603 });
    expect(await c.take(2)).toEqual([
      { jsonrpc: '2.0', id: 1, error: internal },
      [
        { jsonrpc: '2.0', id: 2, error: internal },
        // Inside a result, JSON's own rule holds: a property with no JSON form is left out.
        { jsonrpc: '2.0', id: 3, result: { keep: 1 } },
      ],
    ]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect((errors[0] as Error).message).toMatch(/function/);
  });

  it('serves a listener it was handed, and reports listen errors as the transport raises them', async () => {
    const address = tempAddress();
    const listener = await transport.listen(address);
    const server = createRpcServer({ methods: { ping: () => 'pong' } });
    server.serve(listener);
    const client = await connectRpc(transport, address);
    expect(await client.request('ping')).toBe('pong');
    const other = createRpcServer();
    await expect(other.listen(transport, address)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await other.close();
    await server.close();
    expect(listener.listening).toBe(false);
  });

  it('refuses to listen or serve once closed', async () => {
    const server = createRpcServer();
    await server.close();
    await expect(server.listen(transport, tempAddress())).rejects.toThrow(/closed/);
  });

  it('checks its limits up front', () => {
    expect(() => createRpcServer({ limits: { maxInFlight: 0 } })).toThrow(RangeError);
    expect(() => createRpcServer({ limits: { maxMessageSize: 1.5 } })).toThrow(RangeError);
  });

  it('counts the connections it serves', async () => {
    const { server, address } = await startServer({ methods: { ping: () => 'pong' } });
    const client = await connectRpc(transport, address);
    await client.request('ping');
    expect(server.connections).toBe(1);
    const gone = deferred();
    client.signal.addEventListener('abort', () => gone.resolve());
    await client.close();
    await gone.promise;
    await until(() => server.connections === 0, 'the server to forget the connection');
  });
});
