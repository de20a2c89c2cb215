// Byte-level implementations: raw node:net over a Unix socket, and the
// localwire Unix-socket transport. Both hand out a net.Socket; what differs
// is how the listener and the connection are set up.
import { once } from 'node:events';
import net from 'node:net';
import { unixSocketTransport } from '@localwire/unix-socket';

/**
 * @typedef {object} BytesImpl
 * @property {string} label
 * @property {(path: string, onConnection: (c: import('node:stream').Duplex) => void) => Promise<{ close(): Promise<void> }>} listen
 * @property {(path: string) => Promise<import('node:stream').Duplex>} connect
 */

/** @type {Record<string, BytesImpl>} */
export const bytesImpls = {
  'raw-net': {
    label: 'raw net',
    async listen(path, onConnection) {
      // Half-open, as the localwire listener is.
      const server = net.createServer({ allowHalfOpen: true }, onConnection);
      server.listen(path);
      await once(server, 'listening');
      return { close: async () => void server.close() };
    },
    async connect(path) {
      const socket = net.connect({ path, allowHalfOpen: true });
      await once(socket, 'connect');
      return socket;
    },
  },
  localwire: {
    label: 'localwire',
    async listen(path, onConnection) {
      const listener = await unixSocketTransport.listen(path);
      listener.on('connection', onConnection);
      return { close: () => listener.close() };
    },
    connect: (path) => unixSocketTransport.connect(path),
  },
};
