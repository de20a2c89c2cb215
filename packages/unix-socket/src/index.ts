export type { UnixSocketConnectOptions, UnixSocketListenOptions } from './options.js';
export { maxSocketPathBytes, validateSocketPath } from './socket-path.js';
export { type UnixSocketTransport, unixSocketTransport } from './transport.js';
