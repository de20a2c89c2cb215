import { connect } from 'node:net';

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
