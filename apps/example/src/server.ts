/** The example server: the methods, served on a transport. */

import { createRpcServer } from '@localwire/rpc-server';
import type { Access, Connection, PeerInfo, Transport } from '@localwire/transport';
import type { Codec } from '@localwire/transport/framing';
import { createMethods } from './methods.js';

/** What {@link startServer} needs. */
export interface ServerOptions {
  /** What to listen on: this OS's transport, TCP or TLS. */
  transport: Transport;
  /** Where to listen, as `transport` takes it. */
  address: string;
  /** Message framing. */
  codec: Codec;
  /** Who may connect; `undefined` leaves it to the transport (TCP and TLS take no other). */
  access: Access | undefined;
  /** Where log lines go (the `serve` command: stderr). */
  log: (line: string) => void;
}

/** A server that is listening. */
export interface RunningServer {
  /** The address it listens at, as the transport says (TCP: the port chosen for port 0). */
  readonly address: string;
  /** The names of the methods it serves. */
  readonly methods: readonly string[];
  /**
   * Stops accepting, frees the address, answers the calls in flight, then
   * closes every connection. Resolves once all of that is done.
   */
  close(): Promise<void>;
}

/** A peer's credentials in words, e.g. `pid 4242, uid 1000, gid 1000`. */
export function describePeer(peer: PeerInfo | undefined): string {
  const fields = Object.entries(peer ?? {}).map(([name, value]) => `${name} ${value}`);
  return fields.length === 0 ? 'unknown peer' : fields.join(', ');
}

function logConnection(connection: Connection, log: (line: string) => void): void {
  const who = describePeer(connection.peer);
  log(`connected: ${who}`);
  connection.once('close', () => log(`disconnected: ${who}`));
}

/**
 * Starts serving the example's methods at `options.address` on
 * `options.transport`.
 * @throws {TransportError} when it cannot listen there (`EADDRINUSE`, `EACCES`, …).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { log } = options;
  const methods = createMethods();
  const server = createRpcServer({
    methods,
    codec: options.codec,
    onError: (error) => log(`error: ${error instanceof Error ? error.message : String(error)}`),
  });
  const { transport, address, access } = options;
  const listener = await server.listen(transport, address, access === undefined ? {} : { access });
  listener.on('connection', (connection) => logConnection(connection, log));
  return {
    address: listener.address,
    methods: Object.keys(methods),
    async close() {
      await server.close();
    },
  };
}
