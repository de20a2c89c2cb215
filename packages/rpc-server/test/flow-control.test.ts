import type net from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectRpc, type RpcContext } from '../src/index.js';
import { deferred, RawClient, startServer, until } from './helpers/rpc.js';
import { connectRaw, transport } from './helpers/transport.js';

const turns = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw connection that never reads what the server sends. */
async function nonReader(address: string): Promise<net.Socket> {
  const socket = connectRaw(address);
  socket.pause();
  socket.on('error', () => {});
  onTestFinished(() => {
    socket.destroy();
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

describe('flow control', () => {
  it('runs at most maxInFlight requests of one connection at once, and answers them all', async () => {
    const gate = deferred();
    let running = 0;
    let most = 0;
    let started = 0;
    let connection: RpcContext['connection'] | undefined;
    const { address } = await startServer({
      limits: { maxInFlight: 10 },
      methods: {
        slow: async (params: [number], context: RpcContext) => {
          connection = context.connection;
          started++;
          running++;
          most = Math.max(most, running);
          await gate.promise;
          running--;
          return params[0];
        },
      },
    });
    const c = await RawClient.connect(address);
    c.sendJson(
      ...Array.from({ length: 100 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'slow',
        params: [i],
      })),
    );
    await until(() => started === 10, '10 handlers to start');
    await turns(100);
    expect(started).toBe(10);
    expect(connection!.isPaused()).toBe(true);
    gate.resolve();
    const answers = (await c.take(100)) as Array<{ id: number; result: number }>;
    expect(answers.map((a) => a.result).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(most).toBe(10);
  });

  it('stops reading from a client that does not read its answers, and keeps serving others', async () => {
    const big = 'x'.repeat(64 * 1024);
    let handled = 0;
    let connection: RpcContext['connection'] | undefined;
    const { address } = await startServer({
      methods: {
        blob: (_params: unknown, context: RpcContext) => {
          connection ??= context.connection;
          handled++;
          return big;
        },
        ping: () => 'pong',
      },
    });
    const slow = await nonReader(address);
    const count = 2000; // 128 MiB of answers, were they all buffered
    const requests = Array.from(
      { length: count },
      (_, i) => `{"jsonrpc":"2.0","id":${i},"method":"blob"}\n`,
    ).join('');
    slow.write(requests);
    await until(() => connection?.isPaused() === true, 'the server to stop reading');
    const handledWhenPaused = handled;
    await turns(200);
    expect(handled).toBe(handledWhenPaused);
    expect(handled).toBeLessThan(count / 4);
    expect(connection!.writableLength).toBeLessThan(1024 * 1024);

    const other = await connectRpc(transport, address);
    expect(await other.request('ping')).toBe('pong');

    // Once the client reads, everything it asked for arrives.
    let received = 0;
    let partial = '';
    const all = deferred();
    slow.setEncoding('utf8');
    slow.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      received += lines.length;
      if (received === count) all.resolve();
    });
    slow.resume();
    await all.promise;
    expect(handled).toBe(count);
  }, 60_000);

  it('drops a client that lets more than maxBufferedBytes of notifications pile up', async () => {
    const errors: unknown[] = [];
    let connection: RpcContext['connection'] | undefined;
    const chunk = 'n'.repeat(64 * 1024);
    const { address } = await startServer({
      limits: { maxBufferedBytes: 512 * 1024 },
      onError: (error) => errors.push(error),
      methods: {
        flood: (_params: unknown, context: RpcContext) => {
          connection = context.connection;
          for (let i = 0; i < 1000; i++) context.notify('news', [chunk]);
          return 'sent';
        },
      },
    });
    const slow = await nonReader(address);
    slow.write('{"jsonrpc":"2.0","id":1,"method":"flood"}\n');
    await until(() => connection?.destroyed === true, 'the server to drop the client');
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/does not read/);
  });
});

describe('gathering writes', () => {
  it("gathers the answers to pipelined requests into writes of the connection's preferredWriteSize", async () => {
    const text = 'a'.repeat(200);
    const count = 1000;
    const writes: number[] = [];
    let size = 0;
    const { address } = await startServer({
      methods: {
        text: (_params: unknown, context: RpcContext) => {
          if (size === 0) {
            // The transport's preference, or the writer's default of 4 KiB.
            size = context.connection.preferredWriteSize ?? 4096;
            const connection = context.connection;
            const write = connection.write.bind(connection) as (chunk: string) => boolean;
            connection.write = ((chunk: string) => {
              writes.push(chunk.length);
              return write(chunk);
            }) as typeof connection.write;
          }
          return text;
        },
      },
    });
    const c = await RawClient.connect(address);
    c.sendJson(
      ...Array.from({ length: count }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'text' })),
    );
    const answers = (await c.take(count)) as Array<{ id: number; result: string }>;
    expect(answers.map((a) => a.id)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(answers.every((a) => a.result === text)).toBe(true);
    // A write is made once the answers queued reach the size, so none is
    // longer than the size plus one answer; and with 230 KB of answers to
    // input chunks of a few KB each, at least one reaches it.
    const longestAnswer = `${JSON.stringify({ jsonrpc: '2.0', id: count - 1, result: text })}\n`
      .length;
    expect(Math.max(...writes)).toBeGreaterThanOrEqual(size);
    expect(Math.max(...writes)).toBeLessThan(size + longestAnswer);
    expect(writes.reduce((a, b) => a + b, 0)).toBe(
      answers.reduce((sum, a) => sum + JSON.stringify(a).length + 1, 0),
    );
  });
});
