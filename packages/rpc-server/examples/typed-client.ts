import { connectRpc, type RpcClient } from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';
import type { methods } from './define-methods.js';

const client: RpcClient<typeof methods> = await connectRpc<typeof methods>(
  unixSocketTransport,
  defaultAddress('app'),
);
const sum = await client.request('add', [1, 2]); // number
console.log(sum + 1);
