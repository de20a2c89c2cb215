import type { Duplex } from 'node:stream';
import { type Codec, type Decoder, ndjson } from '@localwire/transport/framing';
import { onTestFinished } from 'vitest';
import { createRpcServer, type RpcServer, type RpcServerOptions } from '../../src/index.js';
import { tempAddress } from './address.js';
import { connectRaw, transport } from './transport.js';

/** A server listening at a fresh address, closed when the test finishes. */
export async function startServer(
  options: RpcServerOptions = {},
): Promise<{ server: RpcServer; address: string }> {
  const address = tempAddress();
  const server = createRpcServer(options);
  await server.listen(transport, address);
  onTestFinished(() => server.close({ timeout: 100 }).then(() => undefined));
  return { server, address };
}

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves once `condition()` holds, checking every few milliseconds (event-loop turns, not a timing assertion). */
export async function until(
  condition: () => boolean,
  what: string,
  limitMs = 20000,
): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A client speaking raw bytes, for what a well-behaved client never sends:
 * a plain `node:net` socket, or the transport's own connection. It decodes
 * the answers with `codec` (default ndjson).
 */
export class RawClient {
  readonly socket: Duplex;
  readonly #messages: unknown[] = [];
  readonly #decoder: Decoder;
  #wake: (() => void) | undefined;
  /** Resolves when the server has closed the connection (or it broke). */
  readonly closed: Promise<void>;

  private constructor(socket: Duplex, codec: Codec) {
    this.socket = socket;
    this.#decoder = codec.createDecoder();
    socket.on('data', (chunk: Buffer) => {
      this.#decoder.push(chunk);
      for (let r = this.#decoder.next(); r !== undefined; r = this.#decoder.next()) {
        if (!r.ok) throw r.error;
        this.#messages.push(r.message);
      }
      this.#wake?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.closed.then(() => this.#wake?.());
  }

  /**
   * Connects to `address` with the transport's own `connect`, whose
   * connection behaves as `transport.capabilities` declares (half-close
   * included); closed when the test finishes.
   */
  static async overTransport(address: string, codec: Codec = ndjson): Promise<RawClient> {
    const connection = await transport.connect(address);
    onTestFinished(() => {
      connection.destroy();
    });
    return new RawClient(connection, codec);
  }

  /** Connects to `address` with {@link connectRaw}; closed when the test finishes. */
  static connect(address: string, codec: Codec = ndjson): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connectRaw(address);
      socket.once('connect', () => resolve(new RawClient(socket, codec)));
      socket.once('error', reject);
      onTestFinished(() => {
        socket.destroy();
      });
    });
  }

  /** Writes `data` as it is. */
  send(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Writes each message as a JSON line. */
  sendJson(...messages: unknown[]): void {
    this.send(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  }

  /** The next `count` answers; rejects if the connection closes first. */
  async take(count: number): Promise<unknown[]> {
    while (this.#messages.length < count) {
      if (this.socket.destroyed) {
        throw new Error(`the connection closed after ${this.#messages.length} of ${count} answers`);
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    return this.#messages.splice(0, count);
  }

  /** Every answer left once the connection has closed. */
  async rest(): Promise<unknown[]> {
    await this.closed;
    return this.#messages.splice(0);
  }

  /** The next answer. */
  async one(): Promise<unknown> {
    return (await this.take(1))[0];
  }
}
