// jayson used as its README shows: its TCP server and TCP client, both on a
// Unix socket path (they take `net` options, so `path` works). jayson's TCP
// client opens a connection per request (and per batch) and ends it once the
// answer came, so its figures include a connect each call: that is what a
// jayson user gets, and why it holds no connections in rpc-concurrent.
import { once } from 'node:events';
import jayson from 'jayson';
import { methods } from './types.mjs';

/**
 * A jayson method (callback style) from one of the shared methods.
 * @param {(params: any) => unknown} method
 */
function callbackMethod(method) {
  return (/** @type {any} */ params, /** @type {(e: unknown, r?: unknown) => void} */ done) =>
    done(null, method(params));
}

/** @type {import('./types.mjs').RpcImpl} */
export const jaysonImpl = {
  label: 'jayson',
  async serve(path) {
    const rpc = new jayson.Server({
      add: callbackMethod(methods.add),
      echo: callbackMethod(methods.echo),
    });
    const server = rpc.tcp();
    server.on('connection', (socket) => socket.on('error', () => {}));
    server.listen({ path, backlog: 511 });
    await once(server, 'listening');
    return { close: async () => void server.close() };
  },
  async connect(path) {
    const client = jayson.Client.tcp({ path });
    return {
      call: (method, params) =>
        new Promise((resolve, reject) => {
          client.request(
            method,
            params,
            (/** @type {any} */ error, /** @type {any} */ response) => {
              if (error) reject(error);
              else if (response.error) reject(new Error(response.error.message));
              else resolve(response.result);
            },
          );
        }),
      batch: (calls) =>
        new Promise((resolve, reject) => {
          const requests = calls.map(({ method, params }) =>
            client.request(method, params, undefined, false),
          );
          // A two-argument callback gets the responses as they came.
          client.request(requests, (/** @type {any} */ error, /** @type {any[]} */ responses) => {
            if (error) {
              reject(error);
              return;
            }
            const byId = new Map(responses.map((r) => [r.id, r]));
            try {
              resolve(
                requests.map((request) => {
                  const r = byId.get(request.id);
                  if (r === undefined || r.error) {
                    throw new Error(r?.error?.message ?? `no answer to id ${request.id}`);
                  }
                  return r.result;
                }),
              );
            } catch (failure) {
              reject(failure);
            }
          });
        }),
      // Nothing to close: each request's connection ends with its answer.
      close: async () => {},
    };
  },
};
