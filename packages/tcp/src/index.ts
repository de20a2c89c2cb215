export { formatAddress, type HostPort, isLoopback, parseAddress } from './address.js';
export type {
  Pem,
  TcpConnectOptions,
  TcpListenOptions,
  TlsConnectOptions,
  TlsTransportOptions,
} from './options.js';
export { type TcpTransport, tcpTransport } from './tcp.js';
export { type TlsTransport, tlsTransport } from './tls.js';
