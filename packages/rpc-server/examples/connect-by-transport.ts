import { namedPipeTransport } from '@localwire/named-pipe';
import { connectRpc } from '@localwire/rpc-server';
import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';
import type { methods } from './define-methods.js';

// Each transport's connect options are typed: `trustUids` for Unix sockets…
const socket = await connectRpc<typeof methods>(unixSocketTransport, defaultAddress('app'), {
  connect: { trustUids: [0] },
});
const sum: number = await socket.request('add', [1, 2]);
// …and `verifyOwner` for a named pipe (a TS string: each `\` is written `\\`).
const pipe = await connectRpc<typeof methods>(namedPipeTransport, '\\\\.\\pipe\\app', {
  connect: { verifyOwner: false },
});
console.log(sum, await pipe.request('greet', { name: 'Ada' }));
