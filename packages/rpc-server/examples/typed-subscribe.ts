import { connectRpc } from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';

// What the server serves: its subscribe method's params list the topics.
interface Chain {
  subscribe(params: ['ticks', intervalMs: number] | ['blocks']): string;
  unsubscribe(params: [id: string]): boolean;
}
// What it pushes to this client: each push's `result` is a number.
interface ChainPushes {
  subscription(params: { subscription: string; result: number }): void;
}

const chain = await connectRpc<Chain, ChainPushes>(unixSocketTransport, defaultAddress('app'));
const ticks = await chain.subscribe('ticks', [100]); // RpcSubscription<number>
for await (const tick of ticks) if (tick >= 3) break; // tick: number
await chain.close();
