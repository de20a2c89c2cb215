import { connectRpc, createRpcServer, defineMethods } from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';
import { z } from 'zod';

// One object is both the implementation and the contract the client is typed by.
export const methods = defineMethods({
  add: ([a, b]: [number, number]) => a + b,
  greet: { params: z.object({ name: z.string() }), handler: ({ name }) => `hello ${name}` },
});

const address = defaultAddress('app');
await createRpcServer({ methods }).listen(unixSocketTransport, address);
const client = await connectRpc<typeof methods>(unixSocketTransport, address);
const text: string = await client.request('greet', { name: 'Ada' });
console.log(text); // hello Ada
