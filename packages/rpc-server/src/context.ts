import type { Connection, PeerInfo } from '@localwire/transport';
import type { RpcLimits } from './limits.js';
import type { RpcParams } from './protocol.js';

/** Per-call options for an outgoing request. */
export interface RequestOptions {
  /** Reject with `ETIMEDOUT` if no answer comes within this many milliseconds. */
  timeout?: number;
  /** Aborting it rejects the request with `ABORT_ERR`. */
  signal?: AbortSignal;
}

/**
 * One side of one connection, as a handler sees it: who is on the other end,
 * and a way to notify or call them back (for subscriptions, say).
 */
export interface RpcContext {
  /** The connection the call came in on. */
  readonly connection: Connection;
  /** The peer's credentials, as the transport reports them. */
  readonly peer: PeerInfo | undefined;
  /** Aborts when the connection closes. */
  readonly signal: AbortSignal;
  /** The limits the connection runs under, defaults filled in (`createSubscriptions` reads its caps here). */
  readonly limits: Readonly<Required<RpcLimits>>;
  /** Sends a notification to the peer. @throws {TypeError} if `params` cannot be serialized. */
  notify(method: string, params?: RpcParams): void;
  /** Calls a method the peer serves and resolves with its result. */
  request<T = unknown>(method: string, params?: RpcParams, options?: RequestOptions): Promise<T>;
}

/** A method's implementation: gets the request's params and the caller's context. */
// biome-ignore lint/suspicious/noExplicitAny: each handler declares the params it expects; validate them with `params`.
export type RpcHandler<P = any, R = unknown> = (params: P, context: RpcContext) => R | Promise<R>;

/** A method with a params check. */
// biome-ignore lint/suspicious/noExplicitAny: as for RpcHandler.
export interface RpcMethodDefinition<P = any, R = unknown> {
  /**
   * Checks the params before the handler runs and returns them (possibly
   * converted). Throw to refuse them: the caller gets the thrown
   * {@link RpcError} as is, or for anything else `-32602 Invalid params` —
   * with the thrown error's message only when `exposeErrorMessages` is on (a
   * check that crashes must not tell the peer about the server's code).
   * A schema library's parse function fits, e.g. `params: (p) => schema.parse(p)`.
   */
  params: (params: unknown) => P;
  /** The implementation. */
  handler: RpcHandler<P, R>;
}

/** Methods by name: a handler, or a handler with a params check. */
export type RpcMethods = Readonly<Record<string, RpcHandler | RpcMethodDefinition>>;
