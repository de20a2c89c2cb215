import type { Connection, PeerInfo } from '@localwire/transport';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { RpcNotify, RpcRequest, UntypedMethods } from './contract.js';
import type { RpcLimits } from './limits.js';

/** Per-call options for an outgoing request. */
export interface RequestOptions {
  /**
   * Reject with `ETIMEDOUT` if no answer comes within this many
   * milliseconds, and tell the peer so (see `cancelMethod`).
   */
  timeout?: number;
  /**
   * Aborting it rejects the request at once with `ABORT_ERR` and tells the
   * peer so (see `cancelMethod`), whose handler's `context.signal` aborts.
   */
  signal?: AbortSignal;
  /**
   * A client's own calls, with `reconnect` on: the call may run twice on the
   * server without harm, so when the connection drops before its answer
   * came it is sent again once the client has reconnected (within its
   * `timeout`), rather than rejecting with `ECONNRESET`. A call not marked
   * so is never sent twice. Default false.
   */
  idempotent?: boolean;
  /**
   * A client's own calls, with `reconnect` on: what a call made while the
   * client is reconnecting does — `'queue'` waits for the connection (within
   * its `timeout`/`signal`, and `maxQueued`), `'reject'` rejects at once with
   * `ECONNRESET`. Default: the client's `whileDisconnected` (`'queue'`).
   */
  whileDisconnected?: 'queue' | 'reject';
}

/**
 * One side of one connection, as a handler sees it: who is on the other end,
 * and a way to notify or call them back (for subscriptions, say).
 *
 * `Peer` is what the other side serves, as a methods type (see
 * {@link RpcMethodName}): with it, `notify` and `request` check the method
 * names, params and results. Without it (the default {@link UntypedMethods}),
 * they take any method.
 *
 * @example
 * {@includeCode ../examples/rpc-context.ts}
 */
export interface RpcContext<Peer extends object = UntypedMethods> {
  /** The connection the call came in on. */
  readonly connection: Connection;
  /** The peer's credentials, as the transport reports them. */
  readonly peer: PeerInfo | undefined;
  /**
   * The request's id, as the caller sent it; `undefined` for a notification.
   */
  readonly id: string | number | null | undefined;
  /**
   * Aborts when this call's work is no longer wanted: the caller cancelled
   * the request (a `cancelMethod` notification naming {@link RpcContext.id};
   * the reason is an `RpcError` coded `-32800`), the connection closed (the
   * reason is its error, if it had one), or `server.close({ timeout })`
   * expired (a `TransportError` coded `ETIMEDOUT`). A handler that ends after
   * it aborted, by returning or throwing (an `AbortError`, say), is answered
   * `-32800 Request cancelled`, and what it threw is not reported to
   * `onError`. Once the call has been answered it no longer changes: for
   * work that outlives the call (a subscription's source, say), listen for
   * the connection's `'close'`. The `AbortController` behind it is made only
   * when a handler first reads it, so a handler that never does pays nothing.
   */
  readonly signal: AbortSignal;
  /** The limits the connection runs under, defaults filled in (`createSubscriptions` reads its caps here). */
  readonly limits: Readonly<Required<RpcLimits>>;
  /** Sends a notification to the peer. @throws {TypeError} if `params` cannot be serialized. */
  readonly notify: RpcNotify<Peer>;
  /** Calls a method the peer serves and resolves with its result. */
  readonly request: RpcRequest<Peer>;
}

/**
 * A method's implementation: gets the request's params and the caller's
 * context (`RpcContext<Peer>`, `Peer` being what the caller serves).
 */
// biome-ignore lint/suspicious/noExplicitAny: each handler declares the params it expects; validate them with `params`.
export type RpcHandler<P = any, R = unknown, Peer extends object = UntypedMethods> = {
  /**
   * The handler. (Method syntax, so that its parameters compare bivariantly:
   * a handler that declares a typed context, `RpcContext<ClientSide>`, is
   * still a handler.)
   */
  handle(params: P, context: RpcContext<Peer>): R | Promise<R>;
}['handle'];

/**
 * Checks a method's params: a Standard Schema v1 validator (zod ≥ 3.24,
 * valibot ≥ 1, arktype ≥ 2, …), or a function that returns the params
 * (possibly converted) and throws to refuse them.
 */
export type RpcParamsCheck<P = unknown> = StandardSchemaV1<unknown, P> | ((params: unknown) => P);

/**
 * A method with a params check, a result check, or both.
 *
 * @example
 * {@includeCode ../examples/method-definition.ts}
 */
// biome-ignore lint/suspicious/noExplicitAny: as for RpcHandler.
export interface RpcMethodDefinition<P = any, R = unknown> {
  /**
   * Checks the params before the handler runs. A Standard Schema v1
   * validator (sync or async) refuses them with `-32602 Invalid params` and
   * `error.data.issues` (`[{ message, path }]`), whatever
   * `exposeErrorMessages` says; the handler gets the schema's output.
   * A function returns the params (possibly converted) and throws to refuse
   * them: the caller gets the thrown {@link RpcError} as is, or for anything
   * else `-32602 Invalid params` — with the thrown error's message only when
   * `exposeErrorMessages` is on (a check that crashes must not tell the peer
   * about the server's code). None: the handler gets the params as they came.
   */
  params?: RpcParamsCheck<P>;
  /**
   * A Standard Schema v1 validator for what the handler returns, checked
   * before it is sent (and its output sent instead). A result it refuses is
   * answered `-32603 Internal error` and reported to `onError` as a
   * {@link ResultSchemaError}: it is the server's fault, not the caller's.
   */
  result?: StandardSchemaV1<R>;
  /** The implementation. */
  handler: RpcHandler<P, R>;
}

/** Methods by name: a handler, or a handler with a params check. */
export type RpcMethods = Readonly<Record<string, RpcHandler | RpcMethodDefinition>>;
