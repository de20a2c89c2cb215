/**
 * The localwire transport interface, its errors and the address helpers: what
 * code that uses a transport needs. The tools for writing a transport live in
 * `@localwire/transport/author`.
 * @packageDocumentation
 */
export { type DefaultAddressOptions, defaultAddress } from './address.js';
export {
  displayAddress,
  isTransportError,
  TransportError,
  type TransportErrorCode,
  type TransportErrorOptions,
} from './errors.js';
export type {
  Access,
  AnyConnectOptions,
  Connection,
  ConnectOptions,
  ConnectOptionsByTransport,
  Listener,
  ListenerEvents,
  ListenOptions,
  PeerInfo,
  Transport,
  TransportCapabilities,
} from './types.js';
