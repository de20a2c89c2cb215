import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { Connection, PeerInfo, Transport } from '@localwire/transport';
import { formatAddress, parseAddress, tcpTransport, tlsTransport } from '../../src/index.js';
import { testPki } from '../helpers/certificates.js';

// Stands in for packages/rpc-server/test/helpers/transport.ts when
// vitest.config.mjs runs the rpc-server suite over TCP or TLS: the same
// exports, over the transport LOCALWIRE_RPC_OVER names.

const over = process.env.LOCALWIRE_RPC_OVER;
if (over !== 'tcp' && over !== 'tls') {
  throw new Error(`LOCALWIRE_RPC_OVER must be tcp or tls, not ${JSON.stringify(over)}`);
}
const pki = over === 'tls' ? testPki() : undefined;
// Mutual TLS, as by default: the server's certificate (which names 127.0.0.1
// and ::1) is both sides' identity, so one transport serves listen and connect.
const identity = pki && { cert: pki.server.cert, key: pki.server.key, ca: pki.ca };
const certificate = identity && new X509Certificate(identity.cert);

/** The transport every rpc-server test runs over in this run. */
export const transport: Transport = identity ? tlsTransport(identity) : tcpTransport;

/**
 * A socket to `address` without the transport's `connect`: `node:net`'s, or
 * `node:tls`'s with the same identity. It emits `'connect'` once the TCP
 * connection is up (a TLS socket holds what is written until its handshake).
 */
export function connectRaw(address: string): net.Socket {
  const { host, port } = parseAddress(address);
  return identity ? tls.connect({ ...identity, host, port }) : net.connect({ host, port });
}

/** The name `transport` has in this run. */
export const expectedTransportName: string = over;

/**
 * What a server reads as the peer of `client`, a connection this process made:
 * its address (the client's end of the TCP connection) and, over TLS, the
 * certificate it presented.
 */
export function ownPeer(client: Connection): PeerInfo {
  const { localAddress, localPort } = client as unknown as net.Socket;
  const address =
    localAddress === undefined || localPort === undefined
      ? undefined
      : formatAddress(localAddress, localPort);
  if (!certificate) return { address };
  return {
    address,
    certificateSubject: certificate.subject,
    certificateFingerprint256: certificate.fingerprint256,
  };
}

/** How the server names this process as a peer in its `maxConnectionsPerPeer` refusals. */
export const ownPeerKey: RegExp = certificate
  ? new RegExp(`certificate ${certificate.fingerprint256}`)
  : /host (127\.0\.0\.1|\[::1\])\b/;
