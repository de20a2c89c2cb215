import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Connection, PeerInfo } from '@localwire/transport';
import { formatAddress } from './address.js';

/**
 * Makes a connected socket a {@link Connection}: the socket itself, with
 * `peer` (its address; over TLS, its certificate too) and `halfClose: true`
 * (the sockets are half-open, and TLS 1.3 sends `close_notify` for `end()`).
 */
export function toConnection(socket: Socket | TLSSocket): Connection {
  return Object.defineProperties(socket, {
    peer: { value: peerInfo(socket), enumerable: true },
    halfClose: { value: true, enumerable: true },
  }) as Socket & Connection;
}

function peerInfo(socket: Socket | TLSSocket): PeerInfo {
  const { remoteAddress, remotePort } = socket;
  const address =
    remoteAddress === undefined || remotePort === undefined
      ? undefined
      : formatAddress(remoteAddress, remotePort);
  const certificate =
    'getPeerX509Certificate' in socket ? socket.getPeerX509Certificate() : undefined;
  if (!certificate) return { address };
  return {
    address,
    certificateSubject: certificate.subject,
    certificateFingerprint256: certificate.fingerprint256,
  };
}
