import type { Socket } from 'node:net';
import type { Connection } from '@localwire/transport';
import { readPeerCredentials } from './peer-credentials.js';

/**
 * Makes a connected `net.Socket` a {@link Connection}: the socket itself, plus
 * `peer`, and `halfClose: true` (the sockets are half-open).
 */
export function toConnection(socket: Socket): Connection {
  return Object.defineProperties(socket, {
    peer: { value: readPeerCredentials(socket), enumerable: true },
    halfClose: { value: true, enumerable: true },
  }) as Socket & Connection;
}
