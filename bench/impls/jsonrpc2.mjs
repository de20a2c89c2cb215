// json-rpc-2.0 used directly over raw node:net, as its README shows, with
// naive ndjson splitting: append each chunk to a string and split on '\n'
// (only when the chunk has one, so a big message is not re-split per chunk).
// One write per message each way.
import { once } from 'node:events';
import net from 'node:net';
import { createJSONRPCRequest, JSONRPCClient, JSONRPCServer } from 'json-rpc-2.0';
import { methods } from './types.mjs';

/**
 * @param {net.Socket} socket
 * @param {(line: string) => void} onLine
 */
function readLines(socket, onLine) {
  socket.setEncoding('utf8');
  let buffer = '';
  socket.on('data', (/** @type {string} */ chunk) => {
    buffer += chunk;
    if (!chunk.includes('\n')) return;
    const lines = buffer.split('\n');
    buffer = /** @type {string} */ (lines.pop());
    for (const line of lines) if (line !== '') onLine(line);
  });
}

/** @type {import('./types.mjs').RpcImpl} */
export const jsonrpc2 = {
  label: 'json-rpc-2.0',
  async serve(path) {
    const rpc = new JSONRPCServer();
    rpc.addMethod('add', methods.add);
    rpc.addMethod('echo', methods.echo);
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      readLines(socket, (line) => {
        rpc.receiveJSON(line).then((response) => {
          if (response) socket.write(`${JSON.stringify(response)}\n`);
        });
      });
    });
    server.listen({ path, backlog: 511 });
    await once(server, 'listening');
    return { close: async () => void server.close() };
  },
  async connect(path) {
    const socket = net.connect(path);
    await once(socket, 'connect');
    socket.on('error', () => {});
    let nextId = 0;
    const client = new JSONRPCClient(
      (payload) => {
        socket.write(`${JSON.stringify(payload)}\n`);
      },
      () => ++nextId,
    );
    readLines(socket, (line) => client.receive(JSON.parse(line)));
    socket.on('close', () => client.rejectAllPendingRequests('connection closed'));
    return {
      call: (method, params) => client.request(method, params),
      async batch(calls) {
        const responses = await client.requestAdvanced(
          calls.map(({ method, params }) => createJSONRPCRequest(++nextId, method, params)),
        );
        return responses.map((r) => {
          if (r.error) throw new Error(r.error.message);
          return r.result;
        });
      },
      async close() {
        const closed = once(socket, 'close');
        socket.destroy();
        await closed;
      },
    };
  },
};
