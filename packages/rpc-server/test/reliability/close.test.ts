import { describe, expect, it } from 'vitest';
import { connectRpc, createRpcServer } from '../../src/index.js';
import { tempAddress } from '../helpers/address.js';
import { deferred, until } from '../helpers/rpc.js';
import { transport } from '../helpers/transport.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Issue 7: `close({ timeout })` with 1,000 requests in flight, some of which
 * finish in time and some never do. (test/close.test.ts covers 1,000 that all
 * finish, and a few hung connections.)
 */
describe('close({ timeout }) with 1,000 requests in flight (issue 7)', () => {
  it('delivers every answer that comes in time, then destroys the busy connections and counts exactly those', async () => {
    const address = tempAddress();
    const gate = deferred();
    let started = 0;
    const server = createRpcServer({
      methods: {
        finish: async (params: [number]) => {
          started++;
          await gate.promise;
          await new Promise((resolve) => setTimeout(resolve, params[0] % 10));
          return params[0];
        },
        hang: () => {
          started++;
          return new Promise<never>(() => {});
        },
        quick: () => 'done',
      },
    });
    await server.listen(transport, address);
    const finishing = await Promise.all(range(5).map(() => connectRpc(transport, address)));
    const stuck = await Promise.all(range(5).map(() => connectRpc(transport, address)));
    // A client that got its answer and keeps its side open (it never ends it):
    // nothing of its is in flight, so it is not one the timeout destroys.
    const idle = await transport.connect(address);
    idle.on('error', () => {});
    const answered = new Promise((resolve) => idle.once('data', resolve));
    idle.write('{"jsonrpc":"2.0","id":1,"method":"quick"}\n');
    await answered;

    const answers = finishing.flatMap((client, k) =>
      range(100).map((i) => client.request<number>('finish', [k * 100 + i])),
    );
    const hung = stuck.flatMap((client) =>
      range(100).map(() =>
        client.request('hang').then(
          () => 'answered',
          (error: unknown) => error,
        ),
      ),
    );
    await until(() => started === 1000, 'all 1,000 handlers to start');
    expect(server.connections).toBe(11);

    const closing = server.close({ timeout: 1500 });
    gate.resolve();
    // Every answer that comes before the timeout is delivered.
    expect(await Promise.all(answers)).toEqual(range(500));
    // Then exactly the 5 connections with requests still unanswered are destroyed.
    expect(await closing).toEqual({ destroyed: 5 });
    for (const outcome of await Promise.all(hung)) {
      expect(outcome).toMatchObject({ code: 'ECONNRESET' });
    }
    await until(() => server.connections === 0, 'every connection to close');
    idle.destroy();
  }, 60_000);
});
