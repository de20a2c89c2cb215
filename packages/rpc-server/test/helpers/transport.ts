import { namedPipeTransport } from '@localwire/named-pipe';
import type { Transport } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';

/**
 * The transport every rpc-server test runs over: the real one for this OS, so
 * the same tests run over Unix sockets natively and over named pipes under Wine.
 */
export const transport: Transport =
  process.platform === 'win32' ? namedPipeTransport : unixSocketTransport;
