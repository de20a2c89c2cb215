// The floor: a minimal hand-written ndjson JSON-RPC server and client on raw
// node:net — JSON.parse, JSON.stringify, split on '\n'. Kept linear for big
// messages (a line split over chunks is joined once), writes coalesced per
// tick (the server answers a chunk's requests in one write; the client corks
// until the next tick). No validation, no limits, no error handling beyond a
// method-not-found: what any framework must pay at the least.
import { once } from 'node:events';
import net from 'node:net';
import { methods } from './types.mjs';

const NEWLINE = 0x0a;

/**
 * Calls `onLine` with each complete line of text received on `socket`.
 * @param {net.Socket} socket
 * @param {(line: string) => void} onLine
 * @param {() => void} [afterChunk]
 */
function readLines(socket, onLine, afterChunk) {
  /** @type {Buffer[]} */
  const pending = [];
  socket.on('data', (/** @type {Buffer} */ chunk) => {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    while (nl !== -1) {
      let line;
      if (pending.length > 0) {
        pending.push(chunk.subarray(start, nl));
        line = Buffer.concat(pending).toString('utf8');
        pending.length = 0;
      } else {
        line = chunk.toString('utf8', start, nl);
      }
      if (line.length > 0) onLine(line);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
    afterChunk?.();
  });
}

/** @param {any} request */
function answer(request) {
  const method = /** @type {Record<string, (p: any) => unknown>} */ (methods)[request.method];
  return method
    ? { jsonrpc: '2.0', id: request.id, result: method(request.params) }
    : { jsonrpc: '2.0', id: request.id, error: { code: -32601, message: 'Method not found' } };
}

/** @type {import('./types.mjs').RpcImpl} */
export const floor = {
  label: 'floor',
  async serve(path) {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      let out = '';
      readLines(
        socket,
        (line) => {
          const message = JSON.parse(line);
          out += `${JSON.stringify(Array.isArray(message) ? message.map(answer) : answer(message))}\n`;
        },
        () => {
          if (out === '') return;
          socket.write(out);
          out = '';
        },
      );
    });
    server.listen({ path, backlog: 511 });
    await once(server, 'listening');
    return { close: async () => void server.close() };
  },
  async connect(path) {
    const socket = net.connect(path);
    await once(socket, 'connect');
    socket.on('error', () => {});
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
    const waiting = new Map();
    let nextId = 0;
    let corked = false;
    const uncork = () => {
      corked = false;
      socket.uncork();
    };
    /** @param {string} text */
    const send = (text) => {
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      socket.write(text);
    };
    readLines(socket, (line) => {
      const message = JSON.parse(line);
      const key = Array.isArray(message) ? message[0].id : message.id;
      const waiter = waiting.get(key);
      waiting.delete(key);
      waiter?.resolve(message);
    });
    socket.on('close', () => {
      for (const { reject } of waiting.values()) reject(new Error('connection closed'));
      waiting.clear();
    });
    /** @param {number} id */
    const answerTo = (id) =>
      new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
      });
    return {
      call(method, params) {
        const id = ++nextId;
        send(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
        return answerTo(id).then((/** @type {any} */ response) => {
          if (response.error) throw new Error(response.error.message);
          return response.result;
        });
      },
      batch(calls) {
        const first = nextId + 1;
        const requests = calls.map(({ method, params }) => ({
          jsonrpc: '2.0',
          id: ++nextId,
          method,
          params,
        }));
        send(`${JSON.stringify(requests)}\n`);
        return answerTo(first).then((/** @type {any[]} */ responses) =>
          responses.map((r) => {
            if (r.error) throw new Error(r.error.message);
            return r.result;
          }),
        );
      },
      async close() {
        const closed = once(socket, 'close');
        socket.destroy();
        await closed;
      },
    };
  },
};
