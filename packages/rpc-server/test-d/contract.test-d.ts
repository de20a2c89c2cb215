/**
 * The contract, verbatim (the address aside): this file must compile.
 * Type-checked by `npm run typecheck` (tsc over test-d/), never run.
 */
import { connectRpc, createRpcServer, defineMethods } from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';
import { z } from 'zod';

const address = defaultAddress('localwire-contract');

export const methods = defineMethods({
  add: ([a, b]: [number, number]) => a + b,
  greet: { params: z.object({ name: z.string() }), handler: ({ name }) => `hello ${name}` },
  later: async (_: [], ctx) => {
    ctx.notify('tick', [1]);
    return new Date().toISOString();
  },
});
const server = createRpcServer({ methods });
await server.listen(unixSocketTransport, address);

const client = await connectRpc<typeof methods>(unixSocketTransport, address);
const sum: number = await client.request('add', [1, 2]);
const text: string = await client.request('greet', { name: 'Ada' });
// @ts-expect-error unknown method
client.request('nope');
// @ts-expect-error wrong params
client.request('add', ['1', 2]);
// @ts-expect-error the result is a number
const wrong: string = await client.request('add', [1, 2]);

export { sum, text, wrong };
