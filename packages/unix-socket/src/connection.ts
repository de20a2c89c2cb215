import type { Socket } from 'node:net';
import type { Connection } from '@localwire/transport';
import { readPeerCredentials } from './peer-credentials.js';

/** Makes a connected `net.Socket` a {@link Connection}: the socket itself, plus `peer`. */
export function toConnection(socket: Socket): Connection {
  return Object.defineProperty(socket, 'peer', {
    value: readPeerCredentials(socket),
    enumerable: true,
  }) as Socket & Connection;
}
