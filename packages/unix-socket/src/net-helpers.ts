import { connect, type Server } from 'node:net';

/** `server.listen(path)` as a promise. */
export function startListening(server: Server, path: string): Promise<void> {
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
    // `exclusive`: bind here even in a cluster worker, where the primary
    // process would otherwise create the socket, outside our control.
    server.listen({ path, exclusive: true });
  });
}

/**
 * Whether a server accepts connections at the socket file `path`: `'live'`
 * (it connects, or its backlog is full), `'refused'` (nobody listens), or the
 * error that says neither.
 */
export function probeSocket(path: string): Promise<'live' | 'refused' | NodeJS.ErrnoException> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve('live');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve('refused');
      else if (err.code === 'EAGAIN') resolve('live');
      else resolve(err);
    });
  });
}
