import { describe, expect, it } from 'vitest';
import { connectRpc, type RpcContext } from '../src/index.js';
import { RawClient, startServer, until } from './helpers/rpc.js';
import { transport } from './helpers/transport.js';

const methods = {
  echo: (params: unknown) => params,
  later: async (params: [number]) => {
    await new Promise((resolve) => setTimeout(resolve, params[0] % 7));
    return params;
  },
};

describe('load', () => {
  it('answers 10,000 requests pipelined on one connection, each matched by id', async () => {
    const { address } = await startServer({ methods });
    const c = await RawClient.connect(address);
    const count = 10_000;
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = i % 3 === 0 ? `s${i}` : i;
      const method = i % 2 === 0 ? 'echo' : 'later';
      lines.push(JSON.stringify({ jsonrpc: '2.0', id, method, params: [i] }));
    }
    c.send(`${lines.join('\n')}\n`);
    const answers = (await c.take(count)) as Array<{ id: string | number; result: [number] }>;
    const byId = new Map(answers.map((a) => [a.id, a.result[0]]));
    expect(byId.size).toBe(count);
    for (let i = 0; i < count; i++) expect(byId.get(i % 3 === 0 ? `s${i}` : i)).toBe(i);
  }, 60_000);

  it('answers 10,000 pipelined requests from the client', async () => {
    const { address } = await startServer({ methods });
    const client = await connectRpc(transport, address);
    const calls = Array.from({ length: 10_000 }, (_, i) =>
      client.request<[number]>(i % 2 ? 'echo' : 'later', [i]),
    );
    const results = await Promise.all(calls);
    expect(results.map((r) => r[0])).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  }, 60_000);

  it('keeps reading answers while its own writes wait: 8,000 echoes of 2 KiB, more than both directions buffer', async () => {
    // The server stops reading while its answers cannot be written; if the
    // client stopped reading answers while its requests could not be
    // written, each would wait for the other forever.
    const { address } = await startServer({ methods });
    const client = await connectRpc(transport, address);
    const blob = 'x'.repeat(2048);
    const calls = Array.from({ length: 8000 }, (_, i) =>
      client.request<[number, string]>('echo', [i, blob]),
    );
    const results = await Promise.all(calls);
    expect(results.every(([n, text], i) => n === i && text === blob)).toBe(true);
  }, 60_000);

  it('answers a batch of 1,000 with 1,000 answers in order', async () => {
    const { address } = await startServer({ methods });
    const c = await RawClient.connect(address);
    c.sendJson(
      Array.from({ length: 1000 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: i % 2 ? 'echo' : 'later',
        params: [i],
      })),
    );
    const [answer] = (await c.take(1)) as Array<Array<{ id: number; result: [number] }>>;
    expect(answer).toHaveLength(1000);
    expect(answer!.map((a) => a.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(answer!.every((a) => a.result[0] === a.id)).toBe(true);
  }, 30_000);

  it('serves 100 concurrent connections, each getting its own answers', async () => {
    const connections = new Set<RpcContext['connection']>();
    const { server, address } = await startServer({
      methods: {
        ...methods,
        track: (params: [number], context: RpcContext) => {
          connections.add(context.connection);
          return params;
        },
      },
    });
    const clients = await Promise.all(
      Array.from({ length: 100 }, () => connectRpc(transport, address)),
    );
    await until(() => server.connections === 100, 'the server to accept all 100');
    const results = await Promise.all(
      clients.map(async (client, n) => {
        const own = await Promise.all(
          Array.from({ length: 20 }, (_, i) => client.request<[number]>('track', [n * 100 + i])),
        );
        return own.map((r) => r[0]);
      }),
    );
    results.forEach((own, n) => {
      expect(own).toEqual(Array.from({ length: 20 }, (_, i) => n * 100 + i));
    });
    expect(connections.size).toBe(100);
    await Promise.all(clients.map((client) => client.close()));
  }, 60_000);
});
