import { connectRpc } from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';

const client = await connectRpc(unixSocketTransport, defaultAddress('app'));
// Calls the server's subscribe method with ['ticks', 100].
const ticks = await client.subscribe<number>('ticks', [100]);
for await (const tick of ticks) {
  console.log(ticks.id, tick);
  if (tick === 3) break; // unsubscribes
}
// A go-ethereum node's method names:
const heads = await client.subscribe('newHeads', [], {
  subscribeMethod: 'eth_subscribe',
  unsubscribeMethod: 'eth_unsubscribe',
  notificationMethod: 'eth_subscription',
});
console.log(await heads.unsubscribe()); // true
await client.close();
