/**
 * Calls made while a client reconnects, waiting for the next connection:
 * each bounded by its own timeout and signal, all by `maxQueued`.
 */
import { TransportError } from '@localwire/transport';
import { abortError, describeRequest, type RequestLabel } from './outgoing.js';

/**
 * Why a call was not queued: `maxQueued` calls already wait for a
 * reconnecting client's connection. Wait for `'open'` (the `statechange`
 * event), raise `maxQueued`, or send with `whileDisconnected: 'reject'`.
 */
export class RequestQueueFullError extends Error {
  /** Always `'RequestQueueFullError'`. */
  override name = 'RequestQueueFullError';
  /** Always `'ERR_REQUEST_QUEUE_FULL'`. */
  readonly code = 'ERR_REQUEST_QUEUE_FULL';
  /** The `maxQueued` it met. */
  readonly limit: number;
  /** The server's address. */
  readonly address: string;

  /** `what` names the call (`the request "add"`, say). */
  constructor(what: string, limit: number, address: string) {
    super(
      `${what} was not sent: ${limit} calls already wait for the connection to ${address}, which is reconnecting (maxQueued); wait for it to open or raise maxQueued`,
    );
    this.limit = limit;
    this.address = address;
  }
}

/** One waiting call: `send()` once connected, or fail. */
interface Queued {
  readonly label: RequestLabel;
  readonly send: () => void;
  readonly fail: (error: Error) => void;
}

/** The calls waiting for a connection, in the order they were made. */
export class CallQueue {
  readonly #address: string;
  readonly #limit: number;
  readonly #waiting = new Set<Queued>();

  constructor(address: string, limit: number) {
    this.#address = address;
    this.#limit = limit;
  }

  /** How many calls wait. */
  get size(): number {
    return this.#waiting.size;
  }

  /**
   * Waits until {@link CallQueue.flush} runs `send` (whose result this
   * resolves with), `timeout` ms pass (`ETIMEDOUT`), `signal` aborts
   * (`ABORT_ERR`) or {@link CallQueue.failAll} is called.
   */
  wait<T>(
    label: RequestLabel,
    timeout: number | undefined,
    signal: AbortSignal | undefined,
    send: () => Promise<T>,
  ): Promise<T> {
    const address = this.#address;
    if (this.#waiting.size >= this.#limit) {
      return Promise.reject(
        new RequestQueueFullError(describeRequest(label), this.#limit, address),
      );
    }
    if (signal?.aborted) return Promise.reject(abortError(label, address, signal.reason));
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => entry.fail(abortError(label, address, signal?.reason));
      const settle = () => {
        this.#waiting.delete(entry);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const entry: Queued = {
        label,
        send: () => {
          settle();
          send().then(resolve, reject);
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      };
      this.#waiting.add(entry);
      if (timeout !== undefined) {
        timer = setTimeout(
          () =>
            entry.fail(
              new TransportError(
                'ETIMEDOUT',
                `no answer to ${describeRequest(label)} within ${timeout} ms: the connection to ${address} was down (reconnecting) until then`,
                { address },
              ),
            ),
          timeout,
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends every waiting call, in order. */
  flush(): void {
    for (const entry of [...this.#waiting]) entry.send();
  }

  /** Fails every waiting call with the error `make(label)` gives. */
  failAll(make: (label: RequestLabel) => Error): void {
    for (const entry of [...this.#waiting]) entry.fail(make(entry.label));
  }
}
