import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

/**
 * Who is on the other end of a connection, as the OS (or, over the network,
 * the connection itself) reports it. Each field is present only where it is
 * known: `uid`/`gid` on Unix sockets, `sid` on named pipes, `pid` on both
 * (Linux, macOS, Windows); `address` over TCP and TLS; the certificate fields
 * over TLS, when the peer presented a certificate.
 */
export interface PeerInfo {
  /** Process id of the peer. */
  readonly pid?: number;
  /** Effective user id of the peer (Unix). */
  readonly uid?: number;
  /** Effective group id of the peer (Unix). */
  readonly gid?: number;
  /** User SID of the peer, e.g. `S-1-5-21-…` (Windows). */
  readonly sid?: string;
  /** The peer's network address, `host:port` or `[v6]:port` (TCP and TLS). */
  readonly address?: string;
  /**
   * The subject of the peer's TLS certificate, as `X509Certificate.subject`
   * of `node:crypto` prints it: one `attribute=value` a line, e.g. `CN=client`.
   */
  readonly certificateSubject?: string;
  /**
   * The SHA-256 fingerprint of the peer's TLS certificate: upper-case hex bytes
   * joined by `:`, as `X509Certificate.fingerprint256` prints it.
   */
  readonly certificateFingerprint256?: string;
}

/**
 * One connection: a `node:stream` Duplex (for the Unix and named-pipe
 * transports, the `net.Socket` itself) plus the peer's credentials.
 */
export interface Connection extends Duplex {
  /** The peer's credentials, or `undefined` where the OS cannot tell them. */
  readonly peer: PeerInfo | undefined;
  /**
   * Whether this connection can half-close, as its transport's
   * {@link TransportCapabilities.halfClose} says, for code that has the
   * connection but not the transport. Without it, the peer sees EOF only once
   * this side is destroyed, so close with `end(() => destroy())`. Absent means
   * `true`; a transport that cannot half-close must set it to `false`.
   */
  readonly halfClose?: boolean;
  /**
   * How many bytes a writer of many small messages should gather into one
   * `write()` on this connection, set by a transport whose writes cost more
   * than a Unix socket's. Gathering more makes fewer writes; gathering less
   * lets the peer start on the first messages sooner. Absent means the
   * writer's own default (`@localwire/rpc-server` gathers 4 KiB); a value
   * that is not a positive number counts as absent.
   */
  readonly preferredWriteSize?: number;
}

/**
 * Who may connect to a listener.
 * - `'user'` (default): only the user that runs the listener (and, on Windows, SYSTEM).
 * - `'everyone'`: any local user. Remote clients are still refused.
 */
export type Access = 'user' | 'everyone';

/** Options every transport's `listen` accepts. */
export interface ListenOptions {
  /** Who may connect. Default `'user'`. */
  access?: Access;
  /**
   * Aborting it closes the listener. If it has already aborted, `listen`
   * rejects with an `ABORT_ERR` `TransportError` and binds nothing.
   */
  signal?: AbortSignal;
}

/** Options every transport's `connect` accepts. */
export interface ConnectOptions {
  /**
   * Give up after this many milliseconds with `ETIMEDOUT`. A server that is
   * up but too busy to take the connection (a full backlog, every pipe
   * instance taken) is waited for. Default: the transport's own — no limit
   * on Unix sockets; 5 s on named pipes, where a closed server whose
   * connections are still open looks busy forever (then `ECONNREFUSED`).
   */
  timeout?: number;
  /** Aborting it gives up with `ABORT_ERR`. */
  signal?: AbortSignal;
}

/**
 * The connect options of each transport package the program uses, by its
 * transport's `name`. Each transport package adds its own entry by declaration
 * merging, e.g.
 *
 * ```ts
 * declare module '@localwire/transport' {
 *   interface ConnectOptionsByTransport {
 *     'my-transport': MyConnectOptions;
 *   }
 * }
 * ```
 *
 * so that code given a transport whose type it cannot infer still checks the
 * options it passes on: `connectRpc<typeof methods>(transport, address,
 * { connect })` names its methods explicitly, and TypeScript then infers no
 * other type argument, so `connect` is checked against every entry here.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each transport package (declaration merging).
export interface ConnectOptionsByTransport {}

/**
 * The connect options of any transport the program uses: {@link ConnectOptions}
 * or one of {@link ConnectOptionsByTransport}.
 */
export type AnyConnectOptions =
  | ConnectOptions
  | ConnectOptionsByTransport[keyof ConnectOptionsByTransport];

/** Events a {@link Listener} emits. */
export interface ListenerEvents {
  /** A client connected. */
  connection: [connection: Connection];
  /** The listener failed after it started (accepting, or closing on `signal`). */
  error: [error: Error];
  /** The listener closed: its address is free and no more connections come. */
  close: [];
}

/**
 * A listening endpoint. Connections arrive as `connection` events and through
 * async iteration (`for await (const conn of listener)`), which ends when the
 * listener closes.
 */
export interface Listener extends EventEmitter<ListenerEvents>, AsyncIterable<Connection> {
  /** The address connections arrive at (socket path or pipe name). */
  readonly address: string;
  /** True until {@link Listener.close} is called. */
  readonly listening: boolean;
  /**
   * Stops accepting and frees the address (a later `listen` on it succeeds, a
   * later `connect` fails). Connections already accepted stay open: they are
   * the caller's to end. Resolves once the address is free; calling it again
   * is harmless.
   */
  close(): Promise<void>;
}

/** What a transport can and cannot do, so shared code and tests adapt to it. */
export interface TransportCapabilities {
  /**
   * Whether ending the write side (`connection.end()`) leaves the read side
   * open: the peer sees EOF and can still write back (connections are
   * half-open, like `net` with `allowHalfOpen: true`, so end your side once
   * you have seen `'end'` and written your reply). Byte-mode named pipes
   * cannot: the peer sees EOF only when the handle closes.
   */
  readonly halfClose: boolean;
  /** The {@link PeerInfo} fields this transport fills in on this OS. */
  readonly peerCredentials: ReadonlyArray<keyof PeerInfo>;
}

/** A way to listen for and open local connections. */
export interface Transport<
  L extends ListenOptions = ListenOptions,
  C extends ConnectOptions = ConnectOptions,
> {
  /** A short name, e.g. `'unix-socket'`. */
  readonly name: string;
  /** What this transport supports on the current OS. */
  readonly capabilities: TransportCapabilities;
  /** Starts listening at `address`. */
  listen(address: string, options?: L): Promise<Listener>;
  /** Connects to the listener at `address`. */
  connect(address: string, options?: C): Promise<Connection>;
}
