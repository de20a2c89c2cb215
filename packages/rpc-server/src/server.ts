import type {
  Connection,
  ConnectOptions,
  Listener,
  ListenOptions,
  PeerInfo,
  Transport,
} from '@localwire/transport';
import { type Codec, ndjson } from '@localwire/transport/framing';
import type { RpcMethods } from './context.js';
import { Endpoint } from './endpoint.js';
import { type RpcLimits, resolveLimits } from './limits.js';
import { MethodTable } from './methods.js';

/** How {@link createRpcServer} builds a server. */
export interface RpcServerOptions {
  /** The methods it serves, by name. */
  methods?: RpcMethods;
  /** Message framing. Default `ndjson`. */
  codec?: Codec;
  /** Per-connection limits; see {@link RpcLimits}. */
  limits?: RpcLimits;
  /**
   * Decides whether a new connection may be served, from the peer's
   * credentials, before any of its bytes are read. Refused (or if it throws),
   * the connection is closed.
   */
  authorize?: (peer: PeerInfo | undefined, connection: Connection) => boolean | Promise<boolean>;
  /**
   * Send the message of an unexpected handler error (one that is not an
   * `RpcError`) to the caller instead of `Internal error`. Default false.
   * Stack traces are never sent.
   */
  exposeErrorMessages?: boolean;
  /**
   * Told of errors no caller hears about: unexpected handler errors, a result
   * that cannot be serialized, a listener failing, `authorize` throwing, a
   * peer dropped for not reading. Default: ignored.
   */
  onError?: (error: unknown) => void;
}

/** Options for {@link RpcServer.close}. */
export interface CloseOptions {
  /**
   * Milliseconds to wait for in-flight requests; connections still open then
   * are destroyed. Default: wait as long as it takes.
   */
  timeout?: number;
}

/** What {@link RpcServer.close} did. */
export interface CloseResult {
  /** Connections destroyed at the timeout, with requests still unanswered. */
  destroyed: number;
}

const ignore = () => {};

/**
 * A JSON-RPC 2.0 server over localwire listeners. Each connection gets its own
 * endpoint, which also sends requests of its own, so handlers can notify or
 * call back the peer that called them.
 */
export class RpcServer {
  readonly #methods: MethodTable;
  readonly #codec: Codec;
  readonly #limits: Required<RpcLimits>;
  readonly #authorize: RpcServerOptions['authorize'];
  readonly #onError: (error: unknown) => void;
  readonly #listeners = new Set<Listener>();
  readonly #endpoints = new Set<Endpoint>();
  readonly #authorizing = new Set<Connection>();
  #closing: Promise<CloseResult> | undefined;

  /** Use {@link createRpcServer}. */
  constructor(options: RpcServerOptions) {
    this.#codec = options.codec ?? ndjson;
    this.#limits = resolveLimits(options.limits);
    this.#authorize = options.authorize;
    this.#onError = options.onError ?? ignore;
    this.#methods = new MethodTable(options.methods ?? {}, {
      exposeErrorMessages: options.exposeErrorMessages ?? false,
      onError: this.#onError,
    });
  }

  /** Connections being served now. */
  get connections(): number {
    return this.#endpoints.size;
  }

  /**
   * Listens at `address` with `transport` and serves what arrives there.
   * Resolves with the listener once it is listening.
   */
  async listen<L extends ListenOptions>(
    transport: Transport<L, ConnectOptions>,
    address: string,
    options?: L,
  ): Promise<Listener> {
    this.#assertOpen();
    const listener = await transport.listen(address, options);
    if (this.#closing) {
      await listener.close();
      this.#assertOpen();
    }
    this.serve(listener);
    return listener;
  }

  /** Serves the connections `listener` accepts from now on, until {@link RpcServer.close}. */
  serve(listener: Listener): void {
    this.#assertOpen();
    const onConnection = (connection: Connection) => this.#accept(connection, listener.address);
    this.#listeners.add(listener);
    listener.on('connection', onConnection);
    listener.on('error', this.#onError);
    listener.once('close', () => {
      this.#listeners.delete(listener);
      listener.off('connection', onConnection);
      listener.off('error', this.#onError);
    });
  }

  /**
   * Shuts down gracefully: stops accepting (closing every listener, which
   * frees its address), stops reading requests, lets those in flight finish
   * and their answers reach the clients, then closes every connection. With a
   * `timeout`, connections still busy then are destroyed and counted.
   * Calling it again returns the same promise.
   */
  close(options: CloseOptions = {}): Promise<CloseResult> {
    const { timeout } = options;
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0)) {
      throw new RangeError(`timeout must be a number of milliseconds >= 0, got ${timeout}`);
    }
    this.#closing ??= this.#shutdown(timeout);
    return this.#closing;
  }

  async #shutdown(timeout: number | undefined): Promise<CloseResult> {
    const listenersClosed = Promise.allSettled([...this.#listeners].map((l) => l.close()));
    for (const connection of this.#authorizing) connection.destroy();
    const drained = Promise.all(
      [...this.#endpoints].map((e) => e.close('the server is shutting down')),
    );
    let destroyed = 0;
    if (timeout !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout);
      });
      await Promise.race([drained, expired]);
      clearTimeout(timer);
      for (const endpoint of this.#endpoints) {
        // Counted only if it still owed answers; the rest just await the peer's end.
        if (endpoint.busy) destroyed++;
        endpoint.destroy();
      }
    }
    await drained;
    for (const result of await listenersClosed) {
      if (result.status === 'rejected') throw result.reason;
    }
    return { destroyed };
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('the RPC server has been closed');
  }

  #accept(connection: Connection, address: string): void {
    if (this.#closing) {
      connection.destroy();
      return;
    }
    const authorize = this.#authorize;
    if (authorize === undefined) {
      this.#start(connection, address);
      return;
    }
    // Nothing is read until the peer is allowed in; a reset meanwhile is harmless.
    connection.on('error', ignore);
    this.#authorizing.add(connection);
    Promise.resolve()
      .then(() => authorize(connection.peer, connection))
      .then(
        (allowed) => allowed === true,
        (error: unknown) => {
          this.#onError(error);
          return false;
        },
      )
      .then((allowed) => {
        this.#authorizing.delete(connection);
        if (allowed && !this.#closing && !connection.destroyed) this.#start(connection, address);
        else connection.destroy();
      });
  }

  #start(connection: Connection, address: string): void {
    const endpoint = new Endpoint(connection, {
      codec: this.#codec,
      limits: this.#limits,
      methods: this.#methods,
      address,
      onError: this.#onError,
      role: 'server',
    });
    this.#endpoints.add(endpoint);
    endpoint.closed.then(() => this.#endpoints.delete(endpoint));
  }
}

/**
 * A JSON-RPC 2.0 server: give it methods, then {@link RpcServer.listen} on a
 * transport (or {@link RpcServer.serve} a listener you made).
 *
 * @example
 * const server = createRpcServer({ methods: { add: ([a, b]: [number, number]) => a + b } });
 * await server.listen(unixSocket, '/run/user/1000/app.sock');
 */
export function createRpcServer(options: RpcServerOptions = {}): RpcServer {
  return new RpcServer(options);
}
