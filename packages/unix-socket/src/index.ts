export type { UnixSocketListenOptions } from './options.js';
export { type UnixSocketTransport, unixSocketTransport } from './transport.js';
