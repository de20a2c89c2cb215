import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectRpc, createRpcServer } from '../src/index.js';
import { tempAddress } from './helpers/address.js';
import { deferred, RawClient, until } from './helpers/rpc.js';
import { transport } from './helpers/transport.js';

describe('graceful close', () => {
  it('answers all 1,000 in-flight slow requests, then closes and frees the address', async () => {
    const address = tempAddress();
    let started = 0;
    const gate = deferred();
    const server = createRpcServer({
      methods: {
        slow: async (params: [number]) => {
          started++;
          await gate.promise;
          await new Promise((resolve) => setTimeout(resolve, params[0] % 20));
          return params[0];
        },
      },
    });
    const listener = await server.listen(transport, address);
    const client = await connectRpc(transport, address);
    const calls = Array.from({ length: 1000 }, (_, i) => client.request<number>('slow', [i]));
    await until(() => started === 1000, 'all 1,000 handlers to start');

    const listenerClosed = once(listener, 'close');
    const closing = server.close();
    // Stops accepting first: no new client gets in while requests still run.
    // The socket file is gone; a pipe's name stays busy while connections
    // to it are open, so a client there waits until its timeout.
    await listenerClosed;
    await expect(transport.connect(address, { timeout: 1000 })).rejects.toMatchObject({
      code:
        process.platform === 'win32'
          ? 'ETIMEDOUT'
          : expect.stringMatching(/^(ENOENT|ECONNREFUSED)$/),
    });
    gate.resolve();
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(await closing).toEqual({ destroyed: 0 });
    await until(() => client.signal.aborted, 'the client to see the connection close');
    expect(server.connections).toBe(0);

    // The address can be listened on again.
    const again = createRpcServer({ methods: { ping: () => 'pong' } });
    await again.listen(transport, address);
    const next = await connectRpc(transport, address);
    expect(await next.request('ping')).toBe('pong');
    await next.close();
    await again.close();
  }, 60_000);

  it('reads no new requests once closing; a client then sees its later requests fail clearly', async () => {
    const address = tempAddress();
    const gate = deferred();
    let started = 0;
    const server = createRpcServer({
      methods: {
        slow: async () => {
          started++;
          await gate.promise;
          return 'done';
        },
      },
    });
    await server.listen(transport, address);
    const client = await connectRpc(transport, address);
    const first = client.request('slow');
    await until(() => started === 1, 'the first handler to start');
    const closing = server.close();
    const late = client.request('slow');
    gate.resolve();
    expect(await first).toBe('done');
    await expect(late).rejects.toMatchObject({ code: 'ECONNRESET' });
    await closing;
    expect(started).toBe(1);
  });

  it('destroys connections still busy at the timeout and reports how many', async () => {
    const address = tempAddress();
    const never = new Promise<never>(() => {});
    const server = createRpcServer({ methods: { hang: () => never, quick: () => 1 } });
    await server.listen(transport, address);
    const busy = await Promise.all([1, 2, 3].map(() => connectRpc(transport, address)));
    const idle = await connectRpc(transport, address);
    await idle.request('quick');
    const hung = busy.map((client) =>
      client.request('hang').then(
        () => 'answered',
        (error: unknown) => error,
      ),
    );
    await until(() => server.connections === 4, 'all connections to be served');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Long enough for the idle connection to close on a loaded machine.
    expect(await server.close({ timeout: 500 })).toEqual({ destroyed: 3 });
    for (const outcome of await Promise.all(hung)) {
      expect(outcome).toMatchObject({ code: 'ECONNRESET' });
    }
    expect(idle.signal.aborted).toBe(true);
  });

  it('returns the same promise when called twice, and checks its timeout', async () => {
    const server = createRpcServer();
    await server.listen(transport, tempAddress());
    // A bad timeout is a rejection, never a synchronous throw (issue 13, defect 7).
    const refused = server.close({ timeout: -1 });
    await expect(refused).rejects.toThrow(RangeError);
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
  });

  it('closes connections that are still being authorized', async () => {
    const address = tempAddress();
    const decision = deferred<boolean>();
    let asked = 0;
    const server = createRpcServer({
      authorize: () => {
        asked++;
        return decision.promise;
      },
    });
    await server.listen(transport, address);
    const waiting = await RawClient.connect(address);
    await until(() => asked === 1, 'authorize to be asked');
    await server.close();
    await waiting.closed;
    decision.resolve(true);
    expect(server.connections).toBe(0);
  });
});
