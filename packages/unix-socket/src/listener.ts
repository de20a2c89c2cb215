import type { BigIntStats } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { fromSystemError, ListenerBase, listenExclusive } from '@localwire/transport/author';
import { bindSocketFile } from './bind.js';
import { toConnection } from './connection.js';
import { listenAborted, listenError } from './errors.js';
import { removeOwnSocketFile } from './stale.js';

/** Where and how a {@link UnixSocketListener} listens. */
export interface UnixSocketBinding {
  /** The socket file's mode, or `undefined` for a Linux abstract name. */
  readonly mode: number | undefined;
  /**
   * Close every connection from a user other than this one at accept: how an
   * abstract name, which has no file permissions, keeps `access: 'user'`.
   */
  readonly ownUserOnly: boolean;
}

/** A listening Unix socket; each connection is the accepted `net.Socket` with `peer` set. */
export class UnixSocketListener extends ListenerBase {
  // Half-open, so that a peer's end() leaves this side writable (capabilities.halfClose).
  readonly #server: Server = createServer({ allowHalfOpen: true });
  /** Settles once bound: the socket file's stats, or `undefined` for an abstract name. */
  #bound: Promise<BigIntStats | undefined> = Promise.resolve(undefined);

  private constructor(address: string, ownUserOnly: boolean, signal: AbortSignal | undefined) {
    super(address, signal);
    const euid = process.geteuid?.();
    this.#server.on('connection', (socket: Socket) => {
      const connection = toConnection(socket);
      // Still inside the accept callback: nothing has been read from the
      // socket yet, and nothing will be once it is destroyed here.
      if (ownUserOnly && connection.peer?.uid !== euid) connection.destroy();
      else this.accept(connection);
    });
  }

  /** Listens at `address` as `binding` says. */
  static async open(
    address: string,
    binding: UnixSocketBinding,
    signal: AbortSignal | undefined,
  ): Promise<UnixSocketListener> {
    const listener = new UnixSocketListener(address, binding.ownUserOnly, signal);
    const server = listener.#server;
    listener.#bound =
      binding.mode === undefined
        ? listenExclusive(server, { path: address }).then(
            () => undefined,
            (err: unknown) => {
              throw listenError(err, address);
            },
          )
        : bindSocketFile(server, address, binding.mode);
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
    listener.handOut();
    return listener;
  }

  protected async shutdown(): Promise<void> {
    const ours = await this.#bound.catch(() => undefined);
    try {
      if (ours) removeOwnSocketFile(this.address, ours);
    } finally {
      // Stops listening at once. Its callback would wait for every accepted
      // connection to end, and those are the caller's to end.
      this.#server.close();
    }
  }
}
