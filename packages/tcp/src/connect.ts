import type { Socket } from 'node:net';
import type { Connection, ConnectOptions } from '@localwire/transport';
import { createDeadline, fromSystemError } from '@localwire/transport/author';
import { type HostPort, parseAddress } from './address.js';
import { toConnection } from './connection.js';

/**
 * Opens one socket to `target` and settles once it is ready to carry data
 * (for TLS: once the server has accepted this client), rejecting with a
 * `TransportError` naming `address` otherwise. It must destroy the socket
 * when `signal` aborts, and may then reject with anything.
 */
export type Dial = (
  target: HostPort,
  address: string,
  signal: AbortSignal | undefined,
) => Promise<Socket>;

/** Connects to `address` (`host:port`) with `dial`, within `timeout`/`signal`. */
export async function connectTo(
  address: string,
  options: ConnectOptions,
  dial: Dial,
): Promise<Connection> {
  const target = parseAddress(address);
  const deadline = createDeadline(address, options);
  try {
    deadline.throwIfExpired();
    // A server whose accept queue is full drops the SYN: the kernel retries,
    // and this waits as long as the deadline allows.
    return toConnection(await dial(target, address, deadline.signal));
  } catch (err) {
    if (deadline.signal?.aborted) throw deadline.error();
    throw fromSystemError(err, address);
  } finally {
    deadline.dispose();
  }
}

/**
 * Resolves with `socket` once `ready` resolves; rejects if the socket fails
 * first (with `mapError` of the error, the socket destroyed) or closes.
 * `signal` destroys it too.
 */
export function settle(
  socket: Socket,
  ready: Promise<unknown>,
  signal: AbortSignal | undefined,
  mapError: (err: NodeJS.ErrnoException) => unknown = (err) => err,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = () => {
      settled = true;
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('end', onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      done();
      socket.destroy();
      reject(mapError(err));
    };
    // The peer ended (a half-open socket stays open then) or closed first:
    // an ECONNRESET without a system call, which TLS reads as a refusal.
    const onClose = () => {
      done();
      socket.destroy();
      reject(
        Object.assign(new Error('the peer ended the connection before it was ready'), {
          code: 'ECONNRESET',
        }),
      );
    };
    const onAbort = () => {
      done();
      socket.destroy();
      reject(signal?.reason);
    };
    if (signal?.aborted) return onAbort();
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once('end', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
    ready.then(() => {
      if (settled) return;
      done();
      resolve(socket);
    });
  });
}

/**
 * Resolves the first time `socket` emits `event`, on the next turn of the
 * event loop: TLS emits `'session'` from inside OpenSSL's read, and a write
 * made there (by whoever awaits the connection) would corrupt the record
 * stream ("bad record mac").
 */
export function nextEvent(socket: Socket, event: string): Promise<void> {
  return new Promise((resolve) => socket.once(event, () => setImmediate(resolve)));
}
