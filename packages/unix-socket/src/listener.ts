import type { BigIntStats } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fromSystemError, ListenerBase } from '@localwire/transport';
import { bindSocketFile } from './bind.js';
import { toConnection } from './connection.js';
import { listenAborted, listenError } from './errors.js';
import { startListening } from './net-helpers.js';
import { removeOwnSocketFile } from './stale.js';

/** A listening Unix socket; each connection is the accepted `net.Socket` with `peer` set. */
export class UnixSocketListener extends ListenerBase {
  // Half-open, so that a peer's end() leaves this side writable (capabilities.halfClose).
  readonly #server: Server = createServer({ allowHalfOpen: true });
  /** Settles once bound: the socket file's stats, or `undefined` for an abstract name. */
  #bound: Promise<BigIntStats | undefined> = Promise.resolve(undefined);

  private constructor(address: string, signal: AbortSignal | undefined) {
    super(address, signal);
    this.#server.on('connection', (socket) => this.accept(toConnection(socket)));
  }

  /**
   * Listens at `address`: a socket file with `mode`, or, when `mode` is
   * `undefined`, a Linux abstract name.
   */
  static async open(
    address: string,
    mode: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<UnixSocketListener> {
    const listener = new UnixSocketListener(address, signal);
    const server = listener.#server;
    listener.#bound =
      mode === undefined
        ? startListening(server, address).then(
            () => undefined,
            (err: unknown) => {
              throw listenError(err, address);
            },
          )
        : bindSocketFile(server, address, mode);
    try {
      await listener.#bound;
    } catch (err) {
      await listener.close();
      throw err;
    }
    if (signal?.aborted) {
      // Aborted while binding: the listener is closing already.
      await listener.close();
      throw listenAborted(address, signal);
    }
    // Errors while binding reject open(); later ones (e.g. EMFILE on accept) are the listener's.
    server.on('error', (err) => listener.emit('error', fromSystemError(err, address)));
    return listener;
  }

  protected async shutdown(): Promise<void> {
    const ours = await this.#bound.catch(() => undefined);
    try {
      if (ours) await removeOwnSocketFile(this.address, ours);
    } finally {
      // Stops listening at once. Its callback would wait for every accepted
      // connection to end, and those are the caller's to end.
      this.#server.close();
    }
  }
}
