import { createServer } from 'node:net';
import type { Connection, Listener, Transport, TransportCapabilities } from '@localwire/transport';
import { DirectReadSocket } from '@localwire/transport/author';
import { connectTo, nextEvent, settle } from './connect.js';
import { TcpListener } from './listener.js';
import type { TcpConnectOptions, TcpListenOptions } from './options.js';

declare module '@localwire/transport' {
  /** TCP's connect options, for code that cannot infer them from the transport. */
  interface ConnectOptionsByTransport {
    tcp: TcpConnectOptions;
  }
}

/** The plain TCP {@link Transport}, with its own listen and connect options. */
export type TcpTransport = Transport<TcpListenOptions, TcpConnectOptions>;

const capabilities: TransportCapabilities = Object.freeze({
  halfClose: true,
  peerCredentials: Object.freeze(['address'] as const),
});

function listen(address: string, options: TcpListenOptions = {}): Promise<Listener> {
  // Half-open, so that a peer's end() leaves this side writable (capabilities.halfClose).
  return TcpListener.open(address, options, () => ({
    server: createServer({ allowHalfOpen: true }),
    connectionEvent: 'connection',
  }));
}

function connect(address: string, options: TcpConnectOptions = {}): Promise<Connection> {
  return connectTo(address, options, ({ host, port }, _address, signal) => {
    // Half-open, so that the server's end() leaves this side writable.
    const socket = new DirectReadSocket({ allowHalfOpen: true }).connect({ host, port });
    return settle(socket, nextEvent(socket, 'connect'), signal);
  });
}

/**
 * Plain TCP over `node:net`, at `host:port` or `[v6]:port`: each
 * {@link Connection} is the `net.Socket` itself, with the peer's address in
 * `peer.address`.
 *
 * - `listen` binds loopback addresses only (`127.0.0.0/8`, `::1`, or a name
 *   that resolves to one, such as `localhost`): any other host is `EACCES`
 *   unless `allowRemote: true`. Port 0 lets the OS choose; the listener's
 *   `address` says which. Every local user can connect to a loopback port —
 *   nothing here tells who the caller is; for that, use {@link tlsTransport}
 *   with client certificates, or a Unix socket.
 * - `connect` waits for a server whose accept queue is full, within
 *   `timeout`/`signal`; nobody listening is `ECONNREFUSED`.
 *
 * @example
 * {@includeCode ../examples/tcp.ts}
 */
export const tcpTransport: TcpTransport = Object.freeze({
  name: 'tcp',
  capabilities,
  listen,
  connect,
});
