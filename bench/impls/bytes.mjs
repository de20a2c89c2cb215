// Byte-level implementations, in pairs: raw node:net against the localwire
// transport over a Unix socket, over TCP on loopback, and raw node:tls
// against the localwire TLS transport (mutual TLS 1.3, the same
// certificates). Each pair hands out the same kind of socket (`net.Socket`,
// `tls.TLSSocket`); what differs is how the listener and the connection are
// set up.
import { once } from 'node:events';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { formatAddress, parseAddress, tcpTransport, tlsTransport } from '@localwire/tcp';
import { unixSocketTransport } from '@localwire/unix-socket';
import { loadCertificates } from '../lib/certificates.mjs';

/**
 * @typedef {object} BytesOptions
 * @property {string} [certificates] the directory of the TLS certificates
 *   (`lib/certificates.mjs`), which the TLS implementations need
 */

/**
 * @typedef {object} BytesImpl
 * @property {string} label
 * @property {(dir: string, name: string) => string} where where to listen:
 *   a socket path in `dir`, or a loopback address with port 0
 * @property {(where: string, onConnection: (c: import('node:stream').Duplex) => void, options?: BytesOptions) => Promise<{ address: string, close(): Promise<void> }>} listen
 *   `address` is where clients connect (for port 0, the port the OS chose)
 * @property {(address: string, options?: BytesOptions) => Promise<import('node:stream').Duplex>} connect
 */

/** TCP and TLS listen here: loopback only, the port chosen by the OS. */
const LOOPBACK = '127.0.0.1:0';

/** @param {string} dir @param {string} name */
const socketPath = (dir, name) => join(dir, `${name}.sock`);
const loopback = () => LOOPBACK;

/**
 * The TLS options of one side, from the run's certificates: TLS 1.3 only,
 * as the localwire transport's default.
 * @param {BytesOptions | undefined} options
 * @param {'server' | 'client'} side
 */
function identity(options, side) {
  if (!options?.certificates) throw new Error('the TLS implementations need options.certificates');
  const { ca, [side]: own } = loadCertificates(options.certificates);
  return { ca, cert: own.cert, key: own.key, minVersion: /** @type {const} */ ('TLSv1.3') };
}

/**
 * A raw `node:net` or `node:tls` server listening at `where`.
 * @param {net.Server} server
 * @param {string} where
 * @param {'path' | 'tcp'} kind
 */
async function listenRaw(server, where, kind) {
  if (kind === 'path') {
    server.listen(where);
  } else {
    const { host, port } = parseAddress(where);
    server.listen({ host, port, exclusive: true });
  }
  await once(server, 'listening');
  const bound = server.address();
  const address =
    typeof bound === 'object' && bound !== null ? formatAddress(bound.address, bound.port) : where;
  return { address, close: async () => void server.close() };
}

/**
 * A localwire listener at `where`, with `onConnection` on each connection.
 * @param {import('@localwire/transport').Transport<any, any>} transport
 * @param {string} where
 * @param {(c: import('node:stream').Duplex) => void} onConnection
 */
async function listenLocalwire(transport, where, onConnection) {
  const listener = await transport.listen(where);
  listener.on('connection', onConnection);
  return { address: listener.address, close: () => listener.close() };
}

/** @type {Record<string, BytesImpl>} */
export const bytesImpls = {
  'raw-net': {
    label: 'raw net',
    where: socketPath,
    // Half-open, as the localwire listener is.
    listen: (where, onConnection) =>
      listenRaw(net.createServer({ allowHalfOpen: true }, onConnection), where, 'path'),
    async connect(path) {
      const socket = net.connect({ path, allowHalfOpen: true });
      await once(socket, 'connect');
      return socket;
    },
  },
  localwire: {
    label: 'localwire',
    where: socketPath,
    listen: (where, onConnection) => listenLocalwire(unixSocketTransport, where, onConnection),
    connect: (path) => unixSocketTransport.connect(path),
  },
  'raw-tcp': {
    label: 'raw net',
    where: loopback,
    listen: (where, onConnection) =>
      listenRaw(net.createServer({ allowHalfOpen: true }, onConnection), where, 'tcp'),
    async connect(address) {
      const { host, port } = parseAddress(address);
      const socket = net.connect({ host, port, allowHalfOpen: true });
      await once(socket, 'connect');
      return socket;
    },
  },
  'localwire-tcp': {
    label: 'localwire',
    where: loopback,
    listen: (where, onConnection) => listenLocalwire(tcpTransport, where, onConnection),
    connect: (address) => tcpTransport.connect(address),
  },
  'raw-tls': {
    label: 'raw tls',
    where: loopback,
    // Mutual TLS, as the localwire listener by default: every client must
    // present a certificate signed by the CA.
    listen: (where, onConnection, options) =>
      listenRaw(
        tls.createServer(
          {
            ...identity(options, 'server'),
            requestCert: true,
            rejectUnauthorized: true,
            allowHalfOpen: true,
          },
          onConnection,
        ),
        where,
        'tcp',
      ),
    async connect(address, options) {
      const { host, port } = parseAddress(address);
      // rejectUnauthorized is tls.connect's default: the server's chain and IP
      // are verified. Half-open, as the transport's; `allowHalfOpen` is a
      // documented tls.connect option that @types/node leaves out.
      const socket = tls.connect(
        /** @type {tls.ConnectionOptions} */ ({
          ...identity(options, 'client'),
          host,
          port,
          allowHalfOpen: true,
        }),
      );
      await once(socket, 'secureConnect');
      return socket;
    },
  },
  'localwire-tls': {
    label: 'localwire',
    where: loopback,
    listen: (where, onConnection, options) =>
      listenLocalwire(tlsTransport(identity(options, 'server')), where, onConnection),
    connect: (address, options) => tlsTransport(identity(options, 'client')).connect(address),
  },
};
