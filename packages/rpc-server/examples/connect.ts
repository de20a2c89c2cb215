import { connectRpc } from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';

const client = await connectRpc(unixSocketTransport, defaultAddress('app'));
const sum = await client.request<number>('add', [1, 2], { timeout: 1000 });
console.log(sum); // 3
await client.close();
