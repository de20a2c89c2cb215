import { createRpcServer } from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';

const server = createRpcServer({ methods: { add: ([a, b]: [number, number]) => a + b } });
await server.listen(unixSocketTransport, defaultAddress('app'));
