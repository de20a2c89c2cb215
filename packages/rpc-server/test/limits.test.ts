import { contentLength } from '@localwire/transport/framing';
import { describe, expect, it } from 'vitest';
import { connectRpc, createSubscriptions, RpcError, RpcErrorCode } from '../src/index.js';
import { RawClient, startServer, until } from './helpers/rpc.js';
import { ownPeerKey, transport } from './helpers/transport.js';

/**
 * Issue 13: the bounds a hostile or careless peer meets, each driven past its
 * limit over a real Unix socket, in process (the reliability suite measures
 * the memory of a server in its own process).
 */

const deeplyNested = (depth: number): unknown => {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('limits (issue 13)', () => {
  it('refuses a message nested deeper than maxDepth with -32600, over both codecs, and carries on', async () => {
    for (const codec of [undefined, contentLength]) {
      const { address } = await startServer({
        methods: { echo: (params: unknown) => params },
        limits: { maxDepth: 10 },
        ...(codec ? { codec } : {}),
      });
      const client = await connectRpc(transport, address, codec ? { codec } : {});
      // params [[…]] nests 1 + depth inside the request object, which is 1 more.
      await expect(client.request('echo', [deeplyNested(7)])).resolves.toEqual([deeplyNested(7)]);
      const refused = await client.request('echo', [deeplyNested(9)]).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RpcError);
      expect(refused).toMatchObject({
        code: RpcErrorCode.InvalidRequest,
        message: 'Invalid Request: a message nests deeper than the limit of 10 levels (maxDepth)',
      });
      expect(await client.request('echo', ['still here'])).toEqual(['still here']);
      await client.close();
    }
  });

  it('never drops a client that reads for the answers it asked for, whatever maxBufferedBytes (defect 3)', async () => {
    const big = 'x'.repeat(200 * 1024);
    const { address } = await startServer({
      methods: { big: async () => big },
      limits: { maxBufferedBytes: 64 * 1024 },
    });
    const client = await connectRpc(transport, address);
    // 20 async answers of 200 KiB come due at once: 4 MiB waits for the client, 64× the limit.
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.request('big')));
    expect(answers.every((a) => a === big)).toBe(true);
    await client.close();
  });

  it('closes connections over maxConnections at once, reports it at most once a second, and serves the rest', async () => {
    const errors: unknown[] = [];
    const { server, address } = await startServer({
      methods: { echo: (params: unknown) => params },
      limits: { maxConnections: 5 },
      onError: (error) => errors.push(error),
    });
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => connectRpc(transport, address)),
    );
    await until(() => server.connections === 5, 'five connections');
    const over = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(address)));
    for (const raw of over) expect(await raw.rest()).toEqual([]);
    for (const client of clients) expect(await client.request('echo', [1])).toEqual([1]);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('limits.maxConnections (5)');
    // The rest are counted, and told in one report once the second is over.
    await until(() => errors.length === 2, 'the count of the rest', 3000);
    expect(String(errors[1])).toContain('refused 19 more connections');
    // Room again once one closes.
    await clients[0]!.close();
    await until(() => server.connections === 4, 'a connection to close');
    const again = await connectRpc(transport, address);
    expect(await again.request('echo', [2])).toEqual([2]);
  });

  it('holds one user to maxConnectionsPerPeer', async () => {
    const errors: unknown[] = [];
    const { address } = await startServer({
      methods: { echo: (params: unknown) => params },
      limits: { maxConnectionsPerPeer: 3 },
      onError: (error) => errors.push(error),
    });
    const clients = await Promise.all(
      Array.from({ length: 3 }, () => connectRpc(transport, address)),
    );
    const over = await RawClient.connect(address);
    expect(await over.rest()).toEqual([]);
    // The peer, as the transport tells it: a uid on Unix, a SID on Windows.
    expect(String(errors[0])).toMatch(ownPeerKey);
    expect(String(errors[0])).toContain('limits.maxConnectionsPerPeer (3)');
    for (const client of clients) expect(await client.request('echo', [1])).toEqual([1]);
  });

  it('answers and closes a connection whose message does not complete within messageTimeout', async () => {
    const errors: unknown[] = [];
    const { server, address } = await startServer({
      methods: { echo: (params: unknown) => params },
      limits: { messageTimeout: 200 },
      onError: (error) => errors.push(error),
    });
    const good = await connectRpc(transport, address);
    const stalled = await RawClient.connect(address);
    stalled.send('{"jsonrpc":"2.0","id":1,"method":"echo","params":[');
    const lsp = await startServer({ codec: contentLength, limits: { messageTimeout: 200 } });
    const header = await RawClient.connect(lsp.address, contentLength);
    header.send('Content-Len');
    // A connection that sends nothing is not timed by messageTimeout.
    const quiet = await RawClient.connect(address);
    expect(await stalled.rest()).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: RpcErrorCode.InvalidRequest,
          message:
            'Invalid Request: a message was begun but not completed within 200 ms (limits.messageTimeout)',
        },
      },
    ]);
    expect(await header.rest()).toMatchObject([{ id: null, error: { code: -32600 } }]);
    expect(await good.request('echo', ['fine'])).toEqual(['fine']);
    expect(quiet.socket.destroyed).toBe(false);
    expect(server.connections).toBe(2);
    expect(String(errors[0])).toContain('limits.messageTimeout');
  });

  it('closes a connection idle for idleTimeout, but not one with a request in flight', async () => {
    const { server, address } = await startServer({
      methods: { slow: () => new Promise((resolve) => setTimeout(resolve, 600, 'done')) },
      limits: { idleTimeout: 200 },
    });
    const idle = await RawClient.connect(address);
    const busy = await connectRpc(transport, address);
    const answer = busy.request('slow');
    await idle.closed;
    expect(await answer).toBe('done');
    await until(() => server.connections === 0, 'the busy one to close once idle', 3000);
  });

  it('closes each idle client under its own idleTimeout, while clients share their watchdog', async () => {
    const { address } = await startServer({ methods: { add: ([a, b]: number[]) => a! + b! } });
    const closed = (client: { connection: { once(e: 'close', f: () => void): void } }) =>
      new Promise<void>((resolve) => client.connection.once('close', resolve));
    const first = await connectRpc(transport, address, { limits: { idleTimeout: 200 } });
    const second = await connectRpc(transport, address, { limits: { idleTimeout: 200 } });
    const other = await connectRpc(transport, address, { limits: { idleTimeout: 300 } });
    const untimed = await connectRpc(transport, address);
    // Closing one client does not stop the watch of the others.
    await first.close();
    await Promise.all([closed(second), closed(other)]);
    expect(await untimed.request('add', [1, 2])).toBe(3);
    // A client connected after the others closed is watched again.
    const later = await connectRpc(transport, address, { limits: { idleTimeout: 200 } });
    await closed(later);
    await untimed.close();
  });

  it('reports errors a peer sends without an id at most once a second, with a count of the rest', async () => {
    const errors: unknown[] = [];
    const { address } = await startServer({
      methods: { echo: (params: unknown) => params },
      onError: (error) => errors.push(error),
    });
    const peer = await RawClient.connect(address);
    const flood = '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}\n';
    peer.send(flood.repeat(5000));
    peer.sendJson({ jsonrpc: '2.0', id: 1, method: 'echo', params: ['after'] });
    expect(await peer.one()).toEqual({ jsonrpc: '2.0', id: 1, result: ['after'] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: 'the peer reported: Parse error' });
    await until(() => errors.length === 2, 'the count of the rest', 3000);
    expect(String(errors[1])).toContain('the peer reported 4999 more errors without an id');
  });

  it('caps the subscriptions of one connection and the size of their args', async () => {
    const subs = createSubscriptions();
    const { address } = await startServer({
      methods: subs.methods,
      limits: { maxSubscriptions: 10, maxSubscriptionArgsSize: 100 },
    });
    const client = await connectRpc(transport, address);
    const ids = await Promise.all(
      Array.from({ length: 10 }, () => client.request('subscribe', ['t'])),
    );
    expect(new Set(ids).size).toBe(10);
    await expect(client.request('subscribe', ['t'])).rejects.toMatchObject({
      code: RpcErrorCode.LimitExceeded,
      message: expect.stringContaining('limits.maxSubscriptions'),
    });
    expect(subs.subscribers('t')).toHaveLength(10);
    // Room again after an unsubscribe.
    expect(await client.request('unsubscribe', [ids[0]])).toBe(true);
    const other = await connectRpc(transport, address);
    await expect(other.request('subscribe', ['t', 'x'.repeat(200)])).rejects.toMatchObject({
      code: RpcErrorCode.LimitExceeded,
      message: expect.stringContaining('limits.maxSubscriptionArgsSize'),
    });
    expect(await other.request('subscribe', ['t', 'x'.repeat(50)])).toMatch(/^0x/);
    expect(await client.request('subscribe', ['t'])).toMatch(/^0x/);
  });

  it('checks the new limits: positive integers, Infinity where it means "no limit"', async () => {
    await expect(startServer({ limits: { maxDepth: 0 } })).rejects.toThrow(
      'limits.maxDepth must be a positive integer, got 0',
    );
    await expect(startServer({ limits: { maxDepth: Number.POSITIVE_INFINITY } })).rejects.toThrow(
      RangeError,
    );
    await expect(startServer({ limits: { messageTimeout: -1 } })).rejects.toThrow(
      'limits.messageTimeout must be a positive integer or Infinity, got -1',
    );
    const { address } = await startServer({
      methods: { echo: (params: unknown) => params },
      limits: {
        messageTimeout: Number.POSITIVE_INFINITY,
        maxConnections: Number.POSITIVE_INFINITY,
      },
    });
    const client = await connectRpc(transport, address);
    expect(await client.request('echo', [1])).toEqual([1]);
  });
});
