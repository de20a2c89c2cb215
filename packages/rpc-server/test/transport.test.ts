import { PIPE_PREFIX } from '@localwire/named-pipe';
import { describe, expect, it } from 'vitest';
import { connectRpc } from '../src/index.js';
import { startServer } from './helpers/rpc.js';
import { expectedTransportName, transport } from './helpers/transport.js';

// Every other test runs over `transport`; this one checks it is the real one
// for this OS, so a Windows run is a run over named pipes (or, when
// packages/tcp runs this suite, the one it says).
describe('the transport under test', () => {
  it('is Unix sockets, named pipes on Windows, or the one the run names, and its connections say whether they half-close', async () => {
    const { address } = await startServer({ methods: { ping: () => 'pong' } });
    expect(transport.name).toBe(expectedTransportName);
    if (transport.name === 'named-pipe') {
      expect(address.startsWith(PIPE_PREFIX)).toBe(true);
      expect(transport.capabilities.halfClose).toBe(false);
    } else {
      expect(transport.capabilities.halfClose).toBe(true);
    }
    const client = await connectRpc(transport, address);
    expect(client.connection.halfClose).toBe(transport.capabilities.halfClose);
    expect(await client.request('ping')).toBe('pong');
    await client.close();
  });
});
