import type { ListenOptions, Server } from 'node:net';

/**
 * `server.listen(options)` as a promise, with `exclusive: true`: the server
 * binds here even in a cluster worker, where the primary process would
 * otherwise own the socket or port, outside the transport's control. Rejects
 * with the raw `listen` error (translate it with `fromSystemError`).
 */
export function listenExclusive(
  server: Server,
  options: Omit<ListenOptions, 'exclusive'>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ ...options, exclusive: true });
  });
}
