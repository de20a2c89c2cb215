// vscode-jsonrpc over raw node:net: its SocketMessageReader/SocketMessageWriter
// (Content-Length framing) and a MessageConnection per socket. It has no
// JSON-RPC batches.
import { once } from 'node:events';
import net from 'node:net';
import {
  createMessageConnection,
  SocketMessageReader,
  SocketMessageWriter,
} from 'vscode-jsonrpc/node';
import { methods } from './types.mjs';

/** @param {net.Socket} socket */
function messageConnection(socket) {
  socket.on('error', () => {});
  const connection = createMessageConnection(
    new SocketMessageReader(socket),
    new SocketMessageWriter(socket),
  );
  socket.on('close', () => connection.dispose());
  return connection;
}

/** @type {import('./types.mjs').RpcImpl} */
export const vscode = {
  label: 'vscode-jsonrpc',
  async serve(path) {
    const server = net.createServer((socket) => {
      const connection = messageConnection(socket);
      // Positional params arrive spread: (a, b, token).
      connection.onRequest('add', (/** @type {number} */ a, /** @type {number} */ b) =>
        methods.add([a, b]),
      );
      connection.onRequest('echo', (/** @type {unknown} */ value) => methods.echo([value]));
      connection.listen();
    });
    server.listen({ path, backlog: 511 });
    await once(server, 'listening');
    return { close: async () => void server.close() };
  },
  async connect(path) {
    const socket = net.connect(path);
    await once(socket, 'connect');
    const connection = messageConnection(socket);
    connection.listen();
    return {
      call: (method, params) => connection.sendRequest(method, ...params),
      batch: undefined,
      async close() {
        const closed = once(socket, 'close');
        connection.dispose();
        socket.destroy();
        await closed;
      },
    };
  },
};
