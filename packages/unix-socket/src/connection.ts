import type { Socket } from 'node:net';
import type { Connection } from '@localwire/transport';
import { readPeerCredentials } from './peer-credentials.js';

/** `halfClose`, the same for every socket: no descriptor object made per connection. */
const HALF_CLOSE: PropertyDescriptor = Object.freeze({ value: true, enumerable: true });

/**
 * Makes a connected `net.Socket` a {@link Connection}: the socket itself, plus
 * `peer`, and `halfClose: true` (the sockets are half-open).
 */
export function toConnection(socket: Socket): Connection {
  Object.defineProperty(socket, 'peer', { value: readPeerCredentials(socket), enumerable: true });
  return Object.defineProperty(socket, 'halfClose', HALF_CLOSE) as Socket & Connection;
}
