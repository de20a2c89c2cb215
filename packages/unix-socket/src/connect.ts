import { connect as netConnect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Connection,
  type ConnectOptions,
  createDeadline,
  validateSocketPath,
} from '@localwire/transport';
import { toConnection } from './connection.js';
import { connectError } from './errors.js';

const FIRST_RETRY_MS = 2;
const MAX_RETRY_MS = 100;

/**
 * Connects to the Unix socket at `address`. A server whose backlog is full
 * (Linux answers `EAGAIN`) is retried with backoff until it takes the
 * connection or the deadline passes, as a blocking `connect(2)` would wait.
 */
export async function connectUnix(
  address: string,
  options: ConnectOptions = {},
): Promise<Connection> {
  validateSocketPath(address);
  const deadline = createDeadline(address, options);
  try {
    deadline.throwIfExpired();
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      const socket = await attempt(address, deadline.signal);
      if (socket) return toConnection(socket);
      await sleep(delay, undefined, { signal: deadline.signal });
    }
  } catch (err) {
    if (deadline.signal?.aborted) throw deadline.error();
    throw connectError(err, address);
  } finally {
    deadline.dispose();
  }
}

/** One connect; `undefined` if the server's backlog is full. */
function attempt(address: string, signal: AbortSignal | undefined): Promise<Socket | undefined> {
  return new Promise((resolve, reject) => {
    // Half-open, so that the server's end() leaves this side writable.
    const socket = netConnect({ path: address, allowHalfOpen: true });
    const settle = () => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onConnect = () => {
      settle();
      resolve(socket);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      settle();
      socket.destroy();
      if (err.code === 'EAGAIN') resolve(undefined);
      else reject(err);
    };
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(signal?.reason);
    };
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
