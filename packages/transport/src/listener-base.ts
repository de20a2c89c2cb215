import { EventEmitter } from 'node:events';
import type { Connection, Listener, ListenerEvents } from './types.js';

/** Keeps a reset on a held connection from being an unhandled 'error'. */
const ignoreHeldError = () => {};

/**
 * What every {@link Listener} shares: the events, async iteration over
 * connections, idempotent close and `signal` support. A transport extends it,
 * calls {@link ListenerBase.accept} for each new connection, calls
 * {@link ListenerBase.handOut} when `listen` returns the listener, and
 * implements {@link ListenerBase.shutdown} to free its address.
 */
export abstract class ListenerBase extends EventEmitter<ListenerEvents> implements Listener {
  readonly address: string;
  #closing: Promise<void> | undefined;
  /**
   * Connections accepted before `listen` has returned the listener, when
   * nobody can listen for them yet (a client can connect as soon as the
   * address is reachable). `undefined` once they have been handed out.
   */
  #held: Connection[] | undefined = [];

  protected constructor(address: string, signal?: AbortSignal) {
    super();
    this.address = address;
    if (signal) {
      const onAbort = () => this.closeInBackground();
      if (signal.aborted) {
        // An 'abort' event never fires for a signal that has already aborted.
        // Close on a microtask: the subclass's fields are not initialised yet.
        queueMicrotask(onAbort);
      } else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
  }

  get listening(): boolean {
    return this.#closing === undefined;
  }

  /**
   * Hands a newly accepted connection to the listener's users: at once, or,
   * before {@link ListenerBase.handOut} has taken effect, once it does. A
   * connection that arrives while the listener closes before that is destroyed,
   * and so is one nobody takes (no `connection` listener, no iteration): left
   * open, nobody would close it or hear its errors.
   */
  protected accept(connection: Connection): void {
    if (this.#held === undefined) {
      this.#emitConnection(connection);
    } else if (!this.listening) {
      connection.destroy();
    } else {
      connection.on('error', ignoreHeldError);
      this.#held.push(connection);
    }
  }

  /**
   * Call once, as `listen` returns this listener. On the next turn of the
   * event loop — after the caller's `await listen(…)` has resumed and added
   * its `connection` handler — the connections accepted so far are emitted,
   * in order, and from then on each as it comes. If the listener has closed
   * by then, they are destroyed instead.
   */
  protected handOut(): void {
    setImmediate(() => {
      const held = this.#held ?? [];
      this.#held = undefined;
      for (const connection of held) {
        connection.off('error', ignoreHeldError);
        if (this.listening) this.#emitConnection(connection);
        else connection.destroy();
      }
    });
  }

  #emitConnection(connection: Connection): void {
    if (!this.emit('connection', connection)) connection.destroy();
  }

  /**
   * Closes without a caller to await it (on `signal`, or when a transport
   * gives up): a failure goes to `'error'` if anyone listens. With nobody
   * listening, emitting it would throw inside the catch and end as an
   * unhandled rejection; the failure then goes unheard.
   */
  protected closeInBackground(): void {
    this.close().catch((err: unknown) => {
      if (this.listenerCount('error') > 0) this.emit('error', err as Error);
    });
  }

  /** Stops accepting and frees the address. Called once. */
  protected abstract shutdown(): Promise<void>;

  close(): Promise<void> {
    if (this.#closing === undefined) {
      // Connections still held reach nobody now.
      for (const connection of this.#held?.splice(0) ?? []) connection.destroy();
      this.#closing = this.shutdown().finally(() => this.emit('close'));
    }
    return this.#closing;
  }

  /**
   * Yields connections as they arrive, from the moment iteration starts, until
   * the listener closes. Connections that arrive between two `next()` calls
   * are queued, not lost; those still queued when iteration stops (a `break`)
   * are destroyed, as nobody will take them.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Connection> {
    const queue: Connection[] = [];
    let wake: (() => void) | undefined;
    let done = !this.listening;
    // A connection waiting in the queue has no 'error' listener of its owner
    // yet; a reset there must not crash the process. The consumer still sees
    // it: the connection comes out destroyed, with `errored` set.
    const ignoreError = () => {};
    const onConnection = (connection: Connection) => {
      connection.on('error', ignoreError);
      queue.push(connection);
      wake?.();
    };
    const onClose = () => {
      done = true;
      wake?.();
    };
    this.on('connection', onConnection);
    this.once('close', onClose);
    try {
      while (true) {
        const next = queue.shift();
        if (next) {
          next.off('error', ignoreError);
          yield next;
        } else if (done) {
          return;
        } else {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      }
    } finally {
      this.off('connection', onConnection);
      this.off('close', onClose);
      // Their error guard stays: destroying may still surface a reset.
      for (const left of queue) left.destroy();
    }
  }
}
