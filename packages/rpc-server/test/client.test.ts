import type { Connection } from '@localwire/transport';
import { ndjson } from '@localwire/transport/framing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectRpc, type RpcContext, RpcError } from '../src/index.js';
import { tempAddress } from './helpers/address.js';
import { deferred, startServer, until } from './helpers/rpc.js';
import { transport } from './helpers/transport.js';

const never = new Promise<never>(() => {});

async function setup() {
  const notes: unknown[] = [];
  const { address, server } = await startServer({
    methods: {
      add: ([a, b]: [number, number]) => a + b,
      greet: ({ name }: { name: string }) => `hi ${name}`,
      refuse: () => {
        throw new RpcError(-32050, 'refused', { why: 'test' });
      },
      note: (params: unknown) => {
        notes.push(params);
      },
      hang: () => never,
      drop: (_params: unknown, context: RpcContext) => {
        setImmediate(() => context.connection.destroy());
        return never;
      },
      askClient: (params: [string], context: RpcContext) => context.request(params[0]),
    },
  });
  const client = await connectRpc(transport, address);
  return { client, notes, address, server };
}

/**
 * A client connected to a hand-written peer (no rpc-server): the peer's end
 * of the connection, to answer by hand, and every request it has received,
 * batches flattened.
 */
async function clientOfHandWrittenPeer() {
  const address = tempAddress();
  const listener = await transport.listen(address);
  onTestFinished(() => listener.close());
  const accepted = deferred<Connection>();
  listener.once('connection', accepted.resolve);
  const client = await connectRpc(transport, address);
  const peer = await accepted.promise;
  const decoder = ndjson.createDecoder();
  const received: Array<{ id?: number; method: string }> = [];
  peer.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
    for (let item = decoder.next(); item?.ok; item = decoder.next()) {
      received.push(...([item.message].flat() as typeof received));
    }
  });
  return { client, peer, received };
}

describe('rpc client', () => {
  it('calls methods with params by position or by name', async () => {
    const { client } = await setup();
    const sum: number = await client.request<number>('add', [2, 40]);
    expect(sum).toBe(42);
    expect(await client.request('greet', { name: 'bo' })).toBe('hi bo');
  });

  it('rejects with an RpcError carrying the error the server answered', async () => {
    const { client } = await setup();
    const error = await client.request('refuse').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: -32050, message: 'refused', data: { why: 'test' } });
    await expect(client.request('missing')).rejects.toMatchObject({ code: -32601 });
  });

  it('sends notifications, which get no answer', async () => {
    const { client, notes } = await setup();
    client.notify('note', ['one']);
    client.notify('missing');
    expect(await client.request('add', [1, 1])).toBe(2);
    expect(notes).toEqual([['one']]);
  });

  it('sends a batch and resolves with one entry per call, in order', async () => {
    const { client, notes } = await setup();
    const results = await client.batch([
      { method: 'add', params: [1, 2] },
      { method: 'note', params: ['in a batch'], notification: true },
      { method: 'refuse' },
      { method: 'greet', params: { name: 'al' } },
    ]);
    expect(results).toEqual([
      { ok: true, result: 3 },
      undefined,
      { ok: false, error: expect.objectContaining({ code: -32050 }) },
      { ok: true, result: 'hi al' },
    ]);
    expect(results[2]?.ok === false && results[2].error).toBeInstanceOf(RpcError);
    expect(notes).toEqual([['in a batch']]);
    await expect(client.batch([])).rejects.toThrow(TypeError);
  });

  it('resolves a batch of notifications only once it is sent', async () => {
    const { client, notes } = await setup();
    expect(await client.batch([{ method: 'note', params: [1], notification: true }])).toEqual([
      undefined,
    ]);
    await until(() => notes.length === 1, 'the notification to arrive');
  });

  it('times a request out with ETIMEDOUT, ignoring a late answer', async () => {
    const { client } = await setup();
    await expect(client.request('hang', [], { timeout: 30 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
      message: expect.stringContaining('"hang"'),
    });
    await expect(client.batch([{ method: 'hang' }], { timeout: 30 })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
    });
    expect(await client.request('add', [3, 4])).toBe(7);
  });

  it('applies a default requestTimeout', async () => {
    const { address } = await setup();
    const client = await connectRpc(transport, address, { requestTimeout: 30 });
    await expect(client.request('hang')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await client.close();
  });

  it('aborts a request with ABORT_ERR, also when the signal aborted already', async () => {
    const { client } = await setup();
    const controller = new AbortController();
    const call = client.request('hang', [], { signal: controller.signal });
    controller.abort(new Error('user gave up'));
    await expect(call).rejects.toMatchObject({
      code: 'ABORT_ERR',
      cause: new Error('user gave up'),
    });
    await expect(
      client.request('add', [1, 2], { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(await client.request('add', [1, 2])).toBe(3);
  });

  it('rejects every pending request when the connection drops, and later ones at once', async () => {
    const { client } = await setup();
    const pending = Array.from({ length: 50 }, () =>
      client.request('hang').then(
        () => 'answered',
        (error: unknown) => error,
      ),
    );
    const dropped = client.request('drop').catch((error: unknown) => error);
    const outcomes = await Promise.all([...pending, dropped]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ code: 'ECONNRESET', message: expect.any(String) });
    }
    await until(() => client.signal.aborted, 'the client to see the connection close');
    await expect(client.request('add', [1, 2])).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(() => client.notify('note')).not.toThrow();
  });

  it('rejects its pending requests when closed, and resolves once the connection is closed', async () => {
    const { client } = await setup();
    const pending = client.request('hang').catch((error: unknown) => error);
    await client.close();
    expect(await pending).toMatchObject({
      code: 'ECONNRESET',
      message: expect.stringContaining('the client closed the connection'),
    });
    expect(client.signal.aborted).toBe(true);
    expect(client.connection.destroyed).toBe(true);
  });

  it('tells the calls a drop failed before its state turns closed; close() after it resolves at once', async () => {
    const { client } = await setup();
    const order: string[] = [];
    client.addEventListener('statechange', (event) => order.push(`state ${event.state}`));
    await client.request('drop').catch((error: unknown) => {
      order.push(`rejected ${(error as { code?: string }).code}`);
    });
    await until(() => client.state === 'closed', 'the client to see the connection close');
    expect(order).toEqual(['rejected ECONNRESET', 'state closed']);
    expect(client.closeReason).toMatchObject({
      kind: 'disconnected',
      error: { code: 'ECONNRESET' },
    });
    expect(client.signal.aborted).toBe(true);
    await client.close();
    expect(client.state).toBe('closed');
  });

  it('answers the server’s requests with on() handlers, until removed', async () => {
    const { client } = await setup();
    const off = client.on('whoAreYou', () => 'the client');
    expect(await client.request('askClient', ['whoAreYou'])).toBe('the client');
    off();
    await expect(client.request('askClient', ['whoAreYou'])).rejects.toMatchObject({
      code: -32601,
    });
  });

  it('refuses what cannot be serialized before sending it', async () => {
    const { client } = await setup();
    await expect(client.request('add', [1n, 2])).rejects.toThrow(TypeError);
    expect(() => client.notify('note', [1n])).toThrow(TypeError);
    expect(await client.request('add', [1, 2])).toBe(3);
  });

  it('fails to connect with the transport’s error when nobody listens', async () => {
    await expect(connectRpc(transport, tempAddress())).rejects.toMatchObject({
      code: expect.stringMatching(/^(ENOENT|ECONNREFUSED)$/),
    });
  });

  it('delivers server notifications to on() handlers in order', async () => {
    const ready = deferred<RpcContext>();
    const { address } = await startServer({
      methods: {
        hello: (_params: unknown, context: RpcContext) => {
          ready.resolve(context);
          return 'hi';
        },
      },
    });
    const client = await connectRpc(transport, address);
    const seen: number[] = [];
    client.on('tick', ([n]: [number]) => {
      seen.push(n);
    });
    await client.request('hello');
    const context = await ready.promise;
    for (let n = 0; n < 100; n++) context.notify('tick', [n]);
    await until(() => seen.length === 100, 'all 100 notifications');
    expect(seen).toEqual(Array.from({ length: 100 }, (_, n) => n));
  });

  it('matches answers by id in whatever order they come, ignoring duplicates and unknown ids', async () => {
    // A hand-written peer that answers out of order, twice, and to ids nobody sent.
    const { client, peer, received } = await clientOfHandWrittenPeer();
    const single = client.request('one');
    const batch = client.batch([
      { method: 'a' },
      { method: 'note', notification: true },
      { method: 'b' },
    ]);
    await until(() => received.length === 4, 'the request and the batch');
    const idOf = (method: string) => received.find((r) => r.method === method)?.id;
    const answer = (id: unknown, result: unknown) => ({ jsonrpc: '2.0', id, result });
    peer.write(
      ndjson.encode([answer(idOf('b'), 'B'), answer(9999, 'nobody asked')]) +
        ndjson.encode(answer(idOf('b'), 'B again')) +
        ndjson.encode(answer(idOf('one'), 1)) +
        ndjson.encode([answer(idOf('a'), 'A')]),
    );
    expect(await single).toBe(1);
    expect(await batch).toEqual([{ ok: true, result: 'A' }, undefined, { ok: true, result: 'B' }]);
    expect(received.map((r) => r.method).sort()).toEqual(['a', 'b', 'note', 'one']);
  });

  it('fails a call whose answer is malformed (no result and no error, both, or not 2.0) rather than waiting for good', async () => {
    // A hand-written peer that answers each request with a message naming its id that is no response.
    const { client, peer, received } = await clientOfHandWrittenPeer();
    const none = client.request('none');
    const both = client.request('both');
    const old = client.request('old');
    const batch = client.batch([{ method: 'inBatch' }, { method: 'fine' }]);
    await until(() => received.length === 5, 'the requests and the batch');
    const idOf = (method: string) => received.find((r) => r.method === method)?.id;
    peer.write(
      ndjson.encode({ jsonrpc: '2.0', id: idOf('none') }) +
        ndjson.encode({
          jsonrpc: '2.0',
          id: idOf('both'),
          result: 1,
          error: { code: 1, message: 'x' },
        }) +
        ndjson.encode({ id: idOf('old'), result: 1 }) +
        ndjson.encode([
          { jsonrpc: '2.0', id: idOf('inBatch') },
          { jsonrpc: '2.0', id: idOf('fine'), result: 'ok' },
        ]),
    );
    const malformed = (reason: string) =>
      expect.objectContaining({ code: -32603, message: expect.stringContaining(reason) });
    await expect(none).rejects.toEqual(malformed('neither "result" nor "error"'));
    await expect(both).rejects.toEqual(malformed('both "result" and "error"'));
    await expect(old).rejects.toEqual(malformed('"jsonrpc" is not "2.0"'));
    const [inBatch, fine] = await batch;
    expect(inBatch).toEqual({ ok: false, error: malformed('neither "result" nor "error"') });
    expect(inBatch?.ok === false && inBatch.error).toBeInstanceOf(RpcError);
    expect(fine).toEqual({ ok: true, result: 'ok' });
    // As before, the peer is told each was an invalid request.
    await until(() => received.length === 9, 'the invalid-request errors');
  });

  it('matches the answers of pipelined batches answered out of order, each id once', async () => {
    // A hand-written peer that answers the later batch first, one answer twice, and an id in neither.
    const { client, peer, received } = await clientOfHandWrittenPeer();
    const first = client.batch([{ method: 'a' }, { method: 'b' }, { method: 'c' }]);
    const second = client.batch([
      { method: 'd' },
      { method: 'note', notification: true },
      { method: 'e' },
    ]);
    await until(() => received.length === 6, 'both batches');
    const idOf = (method: string) => received.find((r) => r.method === method)?.id as number;
    const answer = (method: string, result: unknown) => ({
      jsonrpc: '2.0',
      id: idOf(method),
      result,
    });
    const unknown = { jsonrpc: '2.0', id: idOf('e') + 1, result: 'nobody asked' };
    peer.write(
      ndjson.encode([answer('e', 'E'), answer('d', 'D'), unknown]) +
        ndjson.encode([answer('b', 'B'), answer('b', 'B again')]) +
        ndjson.encode([answer('c', 'C'), answer('a', 'A')]),
    );
    expect(await second).toEqual([{ ok: true, result: 'D' }, undefined, { ok: true, result: 'E' }]);
    expect(await first).toEqual([
      { ok: true, result: 'A' },
      { ok: true, result: 'B' },
      { ok: true, result: 'C' },
    ]);
    // Nothing is left waiting: a plain call after them is answered as usual.
    const single = client.request('f');
    await until(() => received.length === 7, 'the request');
    peer.write(ndjson.encode(answer('f', 'F')));
    expect(await single).toBe('F');
  });

  it('rejects a batch the server refuses as a whole with its RpcError, instead of waiting forever', async () => {
    const { address } = await startServer({
      methods: { add: ([a, b]: [number, number]) => a + b },
      limits: { maxBatchSize: 10 },
    });
    const client = await connectRpc(transport, address);
    const calls = Array.from({ length: 11 }, (_, i) => ({ method: 'add', params: [i, 1] }));
    const refused = await client.batch(calls).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RpcError);
    expect(refused).toMatchObject({
      code: -32600,
      message: expect.stringContaining('limit of 10'),
    });
    // The connection goes on: a batch within the limit, and a plain call.
    expect(await client.batch(calls.slice(0, 10))).toHaveLength(10);
    expect(await client.request('add', [2, 3])).toBe(5);
  });

  it('says why, when the server reports an error and closes before answering', async () => {
    const { address } = await startServer({
      methods: { slow: () => new Promise((resolve) => setTimeout(resolve, 50, 'late')) },
      limits: { maxMessageSize: 1024 },
    });
    const client = await connectRpc(transport, address);
    // The server reads `slow`, then refuses the oversized one (without an id) and closes.
    const first = client.request('slow').catch((e: unknown) => e);
    const error = await client.request('slow', ['x'.repeat(2048)]).catch((e: unknown) => e);
    // The error answers the request the server could not read...
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: -32600, message: expect.stringContaining('1024') });
    // ...and the one that was still running is answered before the server closes.
    expect(await first).toBe('late');
    // What is sent after is told why the connection went.
    const after = await client.request('slow').catch((e: unknown) => e);
    expect(after).toMatchObject({
      code: 'ECONNRESET',
      message: expect.stringMatching(/after reporting: .*1024/),
    });
    expect((after as Error).cause).toBeInstanceOf(RpcError);
  });

  it('gives an error without an id to the request it answers, not to an older batch (issue 13, defect 4)', async () => {
    const { address } = await startServer({
      methods: {
        slow: () => new Promise((resolve) => setTimeout(resolve, 100, 'late')),
        echo: (params: unknown) => params,
      },
    });
    const client = await connectRpc(transport, address);
    const batch = client.batch([{ method: 'slow' }]);
    // Nested past the server's maxDepth (64): refused without an id, and the connection goes on.
    let deep: unknown = 0;
    for (let i = 0; i < 100; i++) deep = [deep];
    const refused = await client.request('echo', [deep]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RpcError);
    expect(refused).toMatchObject({ code: -32600, message: expect.stringContaining('64') });
    expect(await batch).toEqual([{ ok: true, result: 'late' }]);
    expect(await client.request('echo', [1])).toEqual([1]);
  });

  it('takes the answers to a batch larger than its own maxBatchSize (a limit on requests it serves)', async () => {
    const { address } = await startServer({
      methods: { add: ([a, b]: [number, number]) => a + b },
      limits: { maxBatchSize: 2000 },
    });
    const client = await connectRpc(transport, address, { limits: { maxBatchSize: 10 } });
    const calls = Array.from({ length: 1500 }, (_, i) => ({ method: 'add', params: [i, 1] }));
    const results = await client.batch(calls);
    expect(results).toHaveLength(1500);
    expect(results.every((r, i) => r?.ok === true && r.result === i + 1)).toBe(true);
  });
});
