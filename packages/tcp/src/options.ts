import type { SecureVersion } from 'node:tls';
import type { ConnectOptions, ListenOptions } from '@localwire/transport';

/** Options for `listen` of `tcpTransport` and of a `tlsTransport`. */
export interface TcpListenOptions extends ListenOptions {
  /**
   * Listen on a host that is not a loopback address (`0.0.0.0`, `::`, a LAN
   * address), where other machines can connect. Default `false`: such a
   * host is refused with `EACCES`, so that nothing is put on the network by
   * mistake. Over plain TCP anyone who can reach the port may call; prefer
   * `tlsTransport`, whose client certificates decide who connects.
   */
  allowRemote?: boolean;
}

/** Options for `connect` of `tcpTransport`. */
export interface TcpConnectOptions extends ConnectOptions {}

/** Options for `connect` of a `tlsTransport`. */
export interface TlsConnectOptions extends ConnectOptions {
  /**
   * The name the server's certificate must hold (and the SNI name sent).
   * Default: the address's host — a host name, or an IP address, which the
   * certificate must then list as an IP subject alternative name.
   */
  servername?: string;
}

/** A PEM text or its bytes. */
export type Pem = string | Buffer;

/**
 * What a `tlsTransport` is made with: this side's certificate and key,
 * the CA certificates it trusts, and how strict it is. The same options serve
 * `listen` (the server's identity; the CA that signs client certificates) and
 * `connect` (the client's certificate; the CA that signs the server's).
 */
export interface TlsTransportOptions {
  /** This side's certificate chain, PEM. Needed to listen, and to connect to a server that requires one. */
  cert?: Pem | readonly Pem[];
  /** The private key of {@link TlsTransportOptions.cert}, PEM. */
  key?: Pem | readonly Pem[];
  /** The passphrase of an encrypted {@link TlsTransportOptions.key}. */
  passphrase?: string;
  /**
   * The CA certificates to trust, PEM: those that sign the server's
   * certificate (connect) and the clients' (listen). A client without it
   * trusts Node's bundled root CAs, as `node:tls` does; a listener that
   * requires client certificates (the default) needs it, and refuses to
   * start without it (`EINVAL`).
   */
  ca?: Pem | readonly Pem[];
  /**
   * Whether a listener requires each client to present a certificate signed
   * by a trusted CA (mutual TLS), refusing the handshake of any other client
   * before it reaches the `connection` event. Default `true`; `false` lets
   * any client connect.
   */
  requestCert?: boolean;
  /** The lowest TLS version either side accepts. Default `'TLSv1.3'`. */
  minVersion?: SecureVersion;
}
