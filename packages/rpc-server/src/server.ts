import {
  type Connection,
  type ConnectOptions,
  type Listener,
  type ListenOptions,
  type PeerInfo,
  type Transport,
  TransportError,
} from '@localwire/transport';
import { type Codec, ndjson } from '@localwire/transport/framing';
import { createJSONRPCErrorResponse } from 'json-rpc-2.0';
import type { RpcMethods } from './context.js';
import { DEFAULT_CANCEL_METHOD, Endpoint, type EndpointOptions } from './endpoint.js';
import { RpcErrorCode } from './errors.js';
import { type RpcLimits, resolveLimits } from './limits.js';
import { MethodTable } from './methods.js';
import { ReportThrottle } from './throttle.js';
import { Watchdog } from './watchdog.js';

/** How {@link createRpcServer} builds a server. */
export interface RpcServerOptions {
  /** The methods it serves, by name. */
  methods?: RpcMethods;
  /** Message framing. Default `ndjson`. */
  codec?: Codec;
  /** Limits per connection, and on how many connections; see {@link RpcLimits}. */
  limits?: RpcLimits;
  /**
   * Decides whether a new connection may be served, from the peer's
   * credentials, before any of its bytes are read. Refused (or if it throws),
   * the peer is sent one error without an id, code
   * `RpcErrorCode.ConnectionRefused` (-32010), saying so, and the connection
   * is closed; a localwire client then rejects its requests with `EACCES`.
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
   * peer dropped for not reading, connections refused over
   * `limits.maxConnections` or `limits.maxConnectionsPerPeer` and peers closed
   * at `limits.messageTimeout` (each at most once a second, with a count of
   * the rest), errors a peer sends without an id (at most once a second per
   * connection). Default: ignored.
   */
  onError?: (error: unknown) => void;
  /**
   * The notification by which a client cancels one of its requests, with
   * params `{ id }` (LSP's `$/cancelRequest`, so vscode-jsonrpc clients
   * cancel too). It aborts that request's `context.signal`; a handler that
   * then ends, however, is answered `-32800 Request cancelled`. A cancel for
   * an id that is not running is ignored. Cancels are still taken while
   * {@link RpcServer.close} waits for the calls in flight, so it need not
   * wait for cancelled ones whose handlers honour their signal. `false`:
   * cancels are not taken (the method is then served like any other, if
   * `methods` has it). Default `'$/cancelRequest'`.
   */
  cancelMethod?: string | false;
}

/** Options for {@link RpcServer.close}. */
export interface CloseOptions {
  /**
   * Milliseconds to wait for in-flight requests; then the `context.signal`
   * of each call still running aborts (with a `TransportError` coded
   * `ETIMEDOUT`) and the connections still open are destroyed. Default: wait
   * as long as it takes.
   */
  timeout?: number;
}

/** What {@link RpcServer.close} did. */
export interface CloseResult {
  /** Connections destroyed at the timeout, with requests still unanswered. */
  destroyed: number;
}

const ignore = () => {};

/** How long a refused connection may take to flush its refusal before it is destroyed. */
const REFUSAL_LINGER_MS = 2000;

/**
 * Who a connection's peer is, for `maxConnectionsPerPeer`: the user it runs
 * as (uid, SID), else its certificate, else its host (a TCP peer's address
 * without the port, which changes with every connection); undefined if the
 * transport tells none of these.
 */
function peerKey(peer: PeerInfo | undefined): string | undefined {
  if (peer === undefined) return undefined;
  if (peer.uid !== undefined) return `uid ${peer.uid}`;
  if (peer.sid !== undefined) return `SID ${peer.sid}`;
  if (peer.certificateFingerprint256 !== undefined) {
    return `certificate ${peer.certificateFingerprint256}`;
  }
  if (peer.address !== undefined) return `host ${peer.address.replace(/:\d+$/, '')}`;
  return undefined;
}

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
  readonly #cancelMethod: string | false;
  readonly #listeners = new Set<Listener>();
  readonly #endpoints = new Set<Endpoint>();
  readonly #authorizing = new Set<Connection>();
  /** Checks the connections' timeouts; none when they are off. */
  readonly #watchdog: Watchdog | undefined;
  /** Connections open (being authorized, served or refused), for `maxConnections`. */
  #open = 0;
  /** Connections open per peer user, for `maxConnectionsPerPeer` (only when it is set). */
  readonly #openPerPeer = new Map<string, number>();
  readonly #overLimit: ReportThrottle;
  readonly #stalled: ReportThrottle;
  #closing: Promise<CloseResult> | undefined;

  /** Use {@link createRpcServer}. */
  constructor(options: RpcServerOptions) {
    this.#codec = options.codec ?? ndjson;
    this.#limits = resolveLimits(options.limits);
    this.#authorize = options.authorize;
    this.#onError = options.onError ?? ignore;
    this.#cancelMethod = options.cancelMethod ?? DEFAULT_CANCEL_METHOD;
    this.#watchdog = Watchdog.for(this.#limits, this.#endpoints);
    this.#overLimit = new ReportThrottle(
      this.#onError,
      (held) =>
        new Error(`refused ${held} more connections over the server's limits in the last second`),
    );
    this.#stalled = new ReportThrottle(
      this.#onError,
      (held) =>
        new Error(
          `closed ${held} more connections that did not complete a message in time (limits.messageTimeout) in the last second`,
        ),
    );
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
    // One options object per listener, shared by its connections' endpoints.
    const endpointOptions = this.#endpointOptions(listener.address);
    const onConnection = (connection: Connection) => this.#accept(connection, endpointOptions);
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
      return Promise.reject(
        new RangeError(`timeout must be a number of milliseconds >= 0, got ${timeout}`),
      );
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
      const timedOut = new TransportError(
        'ETIMEDOUT',
        `the server's close timeout of ${timeout} ms expired with the call still running`,
      );
      for (const endpoint of this.#endpoints) {
        // Counted only if it still owed answers; the rest just await the peer's end.
        if (endpoint.busy) destroyed++;
        endpoint.destroy(timedOut);
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

  #accept(connection: Connection, options: EndpointOptions): void {
    const address = options.address;
    if (this.#closing || !this.#admit(connection, address)) {
      connection.destroy();
      return;
    }
    const authorize = this.#authorize;
    if (authorize === undefined) {
      this.#start(connection, options);
      return;
    }
    // Nothing is read until the peer is allowed in; a reset meanwhile is harmless.
    connection.on('error', ignore);
    // Counted by its endpoint once it has one; until then (or if refused), here.
    const release = () => this.#release(connection.peer);
    connection.on('close', release);
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
        if (allowed && !this.#closing && !connection.destroyed) {
          connection.off('close', release);
          this.#start(connection, options);
        } else if (!allowed && !this.#closing) this.#refuse(connection, address);
        else connection.destroy();
      });
  }

  /**
   * Counts `connection` against `maxConnections` and `maxConnectionsPerPeer`
   * (until {@link RpcServer.#release}, once it closes); false (reported, at
   * most once a second) when it is over one of them.
   */
  #admit(connection: Connection, address: string): boolean {
    const { maxConnections, maxConnectionsPerPeer } = this.#limits;
    if (this.#open >= maxConnections) {
      this.#overLimit.report(
        () =>
          new Error(
            `refused a connection on ${address}: ${this.#open} are open, the most limits.maxConnections (${maxConnections}) allows`,
          ),
      );
      return false;
    }
    const key = this.#limitedPeerKey(connection.peer);
    if (key !== undefined) {
      const count = this.#openPerPeer.get(key) ?? 0;
      if (count >= maxConnectionsPerPeer) {
        this.#overLimit.report(
          () =>
            new Error(
              `refused a connection on ${address} from ${key}: it has ${count} open, the most limits.maxConnectionsPerPeer (${maxConnectionsPerPeer}) allows`,
            ),
        );
        return false;
      }
      this.#openPerPeer.set(key, count + 1);
    }
    this.#open++;
    return true;
  }

  /** A connection {@link RpcServer.#admit} counted has closed. */
  #release(peer: PeerInfo | undefined): void {
    this.#open--;
    const key = this.#limitedPeerKey(peer);
    if (key === undefined) return;
    const left = this.#openPerPeer.get(key)! - 1;
    if (left === 0) this.#openPerPeer.delete(key);
    else this.#openPerPeer.set(key, left);
  }

  /**
   * The key `peer`'s connections are counted under for
   * `maxConnectionsPerPeer`; none while that is unlimited. The same peer
   * gives the same key at accept and at close, so nothing is kept per connection.
   */
  #limitedPeerKey(peer: PeerInfo | undefined): string | undefined {
    return this.#limits.maxConnectionsPerPeer === Number.POSITIVE_INFINITY
      ? undefined
      : peerKey(peer);
  }

  /** Told by each endpoint as its connection closes. */
  readonly #endpointClosed = (endpoint: Endpoint): void => {
    this.#endpoints.delete(endpoint);
    this.#release(endpoint.peer);
  };

  /**
   * Tells a peer `authorize` refused that it is refused (one error without
   * an id), then closes: without it, its first request would just fail as
   * if the server had crashed. Nothing it sent is read.
   */
  #refuse(connection: Connection, address: string): void {
    if (connection.destroyed) return;
    const message = `the server at ${address} refused this connection: its authorize check did not admit this peer${describePeer(connection.peer)}; ask the server's operator for access`;
    const frame = this.#codec.encode(
      createJSONRPCErrorResponse(null, RpcErrorCode.ConnectionRefused, message),
    );
    const linger = setTimeout(() => connection.destroy(), REFUSAL_LINGER_MS);
    connection.once('close', () => clearTimeout(linger));
    connection.end(frame, () => connection.destroy());
  }

  /** What every endpoint of connections to `address` is made with. */
  #endpointOptions(address: string): EndpointOptions {
    return {
      codec: this.#codec,
      limits: this.#limits,
      methods: this.#methods,
      address,
      onError: this.#onError,
      onStalled: (make) => this.#stalled.report(make),
      watchdog: this.#watchdog,
      onClosed: this.#endpointClosed,
      cancelMethod: this.#cancelMethod,
      role: 'server',
    };
  }

  #start(connection: Connection, options: EndpointOptions): void {
    this.#endpoints.add(new Endpoint(connection, options));
  }
}

/** ` (uid 1000)`, ` (SID S-1-5-…)` or nothing, for the refusal message. */
function describePeer(peer: PeerInfo | undefined): string {
  const key = peerKey(peer);
  return key === undefined ? '' : ` (${key})`;
}

/**
 * A JSON-RPC 2.0 server: give it methods, then {@link RpcServer.listen} on a
 * transport (or {@link RpcServer.serve} a listener you made).
 *
 * @example
 * {@includeCode ../examples/create-server.ts}
 */
export function createRpcServer(options: RpcServerOptions = {}): RpcServer {
  return new RpcServer(options);
}
