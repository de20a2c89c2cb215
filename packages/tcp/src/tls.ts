import { isIP } from 'node:net';
import {
  type ConnectionOptions,
  createServer,
  type SecureVersion,
  type TlsOptions,
  connect as tlsConnect,
} from 'node:tls';
import type { Connection, Listener, Transport, TransportCapabilities } from '@localwire/transport';
import type { HostPort } from './address.js';
import { connectTo, nextEvent, settle } from './connect.js';
import { invalidOption, tlsRefused } from './errors.js';
import { TcpListener } from './listener.js';
import type { TcpListenOptions, TlsConnectOptions, TlsTransportOptions } from './options.js';

declare module '@localwire/transport' {
  /** TLS's connect options, for code that cannot infer them from the transport. */
  interface ConnectOptionsByTransport {
    tls: TlsConnectOptions;
  }
}

/** A TLS {@link Transport}, with its own listen and connect options. */
export type TlsTransport = Transport<TcpListenOptions, TlsConnectOptions>;

const VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The options checked, with their defaults. */
interface TlsSettings {
  readonly identity: Pick<TlsOptions, 'cert' | 'key' | 'passphrase' | 'ca'>;
  readonly requestCert: boolean;
  readonly minVersion: SecureVersion;
}

/**
 * @throws {TransportError} `EINVAL` for a `requestCert` that is not a boolean
 * or an unknown `minVersion`.
 */
function settings(options: TlsTransportOptions, address: string): TlsSettings {
  const { cert, key, passphrase, ca, requestCert = true, minVersion = 'TLSv1.3' } = options;
  if (typeof requestCert !== 'boolean') {
    throw invalidOption(
      address,
      `requestCert must be true or false, not ${JSON.stringify(requestCert)}`,
    );
  }
  if (!VERSIONS.includes(minVersion)) {
    throw invalidOption(
      address,
      `minVersion must be one of ${VERSIONS.join(', ')}, not ${JSON.stringify(minVersion)}`,
    );
  }
  const identity = { cert, key, passphrase, ca } as TlsSettings['identity'];
  return { identity, requestCert, minVersion };
}

/**
 * One TLS connection to `target`, ready once the server has accepted this
 * client. Under TLS 1.3 the server checks the client's certificate after the
 * client has finished its handshake, and says no with an alert; it says yes
 * by sending its session tickets (a Node server always does). So the
 * connection is handed out once the first ticket arrives, and a missing
 * client certificate fails the connect rather than the first read. (A
 * certificate from an untrusted CA is dropped by Node's server only after
 * its tickets: that surfaces as `ECONNRESET` at or right after connect.)
 */
async function dial(
  tls: TlsSettings,
  servername: string | undefined,
  { host, port }: HostPort,
  address: string,
  signal: AbortSignal | undefined,
) {
  // `allowHalfOpen` is a documented tls.connect option that @types/node leaves out.
  const connectOptions: ConnectionOptions & { allowHalfOpen: boolean } = {
    ...tls.identity,
    host,
    port,
    // An IP address is checked against the certificate's IP names; SNI takes names only.
    servername: servername ?? (isIP(host) === 0 ? host : undefined),
    minVersion: tls.minVersion,
    rejectUnauthorized: true,
    // Half-open, so that the server's end() leaves this side writable.
    allowHalfOpen: true,
  };
  const socket = tlsConnect(connectOptions);
  // Listening from the start: it may come in the same read as the handshake's end.
  const ticket = nextEvent(socket, 'session');
  let reached = false;
  socket.once('connect', () => {
    reached = true;
  });
  // After the TCP connect, a failure without a system call is TLS refusing,
  // and so is a reset: a server that rejects the client's certificate may
  // close before its alert is read.
  const mapError = (err: NodeJS.ErrnoException) =>
    reached && (err.syscall === undefined || err.code === 'ECONNRESET')
      ? tlsRefused(err, address)
      : err;
  await settle(socket, nextEvent(socket, 'secureConnect'), signal, mapError);
  if (socket.getProtocol() === 'TLSv1.3') {
    // Whatever ends the connection now, a reset included, is the server's no.
    await settle(socket, ticket, signal, (err) => tlsRefused(err, address));
  }
  return socket;
}

/**
 * TLS over `node:tls`, at `host:port` or `[v6]:port`, TLS 1.3 unless
 * `minVersion` says otherwise: each {@link Connection} is the `TLSSocket`
 * itself, with the peer's address and certificate (subject, SHA-256
 * fingerprint) in `peer`, for `authorize(peer)`.
 *
 * - `listen` needs `cert` and `key`, binds loopback addresses only unless
 *   `allowRemote: true` (as {@link tcpTransport}), and requires every client
 *   to present a certificate signed by one of `ca` (mutual TLS) unless
 *   `requestCert: false`; it needs `ca` then (Node's bundled public root
 *   CAs are never trusted for clients). A client that fails the handshake never reaches the
 *   `connection` event: no byte of it is read as data.
 * - `connect` verifies the server's certificate chain against `ca` and its
 *   name against the address's host (or `servername`), as `node:tls` does,
 *   and presents `cert`/`key` when given. A failed check is `EACCES`, whose
 *   message names the address, the reason and the TLS code (Node's error is
 *   the `cause`).
 *
 * @param options - this side's certificate and key, the CAs it trusts, and
 * how strict it is; the same object serves `listen` and `connect`.
 * @example
 * {@includeCode ../examples/tls.ts}
 */
export function tlsTransport(options: TlsTransportOptions): TlsTransport {
  const requestCert = options.requestCert ?? true;
  const capabilities: TransportCapabilities = Object.freeze({
    halfClose: true,
    peerCredentials: Object.freeze(
      requestCert
        ? (['address', 'certificateSubject', 'certificateFingerprint256'] as const)
        : (['address'] as const),
    ),
  });
  const listen = async (
    address: string,
    listenOptions: TcpListenOptions = {},
  ): Promise<Listener> => {
    const tls = settings(options, address);
    if (tls.identity.cert === undefined || tls.identity.key === undefined) {
      throw invalidOption(
        address,
        'a TLS server needs its certificate and key: pass cert and key to tlsTransport',
      );
    }
    // Without `ca`, node:tls would check client certificates against its
    // bundled public root CAs: any certificate any public CA issued would pass.
    if (tls.requestCert && tls.identity.ca === undefined) {
      throw invalidOption(
        address,
        'a TLS server that requires client certificates needs ca, the CA certificates that sign the clients it trusts; pass ca to tlsTransport, or requestCert: false to let any client connect',
      );
    }
    return TcpListener.open(address, listenOptions, () => ({
      server: createServer({
        ...tls.identity,
        requestCert: tls.requestCert,
        rejectUnauthorized: tls.requestCert,
        minVersion: tls.minVersion,
        // Half-open, so that a peer's end() leaves this side writable (capabilities.halfClose).
        allowHalfOpen: true,
      }),
      connectionEvent: 'secureConnection',
    }));
  };
  const connect = async (
    address: string,
    connectOptions: TlsConnectOptions = {},
  ): Promise<Connection> => {
    const tls = settings(options, address);
    return connectTo(address, connectOptions, (target, at, signal) =>
      dial(tls, connectOptions.servername, target, at, signal),
    );
  };
  return Object.freeze({ name: 'tls', capabilities, listen, connect });
}
