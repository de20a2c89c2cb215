import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel';
import type { PeerInfo } from '@localwire/transport';
import type { JSONRPCRequest } from 'json-rpc-2.0';
import type { BatchResult } from './contract.js';
import { isRpcError, RpcError } from './errors.js';
import { type Answer, type ContextSource, isThenable, type MethodTable } from './methods.js';
import type { RpcParams } from './protocol.js';

/**
 * The `node:diagnostics_channel` tracing channel on which every request this
 * process answers is published (a server's, and a client's `on` handlers
 * called by its server), with an {@link RpcServerTraceContext}.
 *
 * @example
 * ```ts
 * import { tracingChannel } from 'node:diagnostics_channel';
 * const answered = (call: RpcServerTraceContext) =>
 *   console.log('answered', call.method, call.id, call.errorCode ?? 'ok');
 * tracingChannel<unknown, RpcServerTraceContext>(SERVER_TRACING_CHANNEL).subscribe({
 *   start: (call) => console.log('serving', call.method, call.id, call.peer?.pid),
 *   // A synchronous handler's call is done at `end`; any other at `asyncEnd`.
 *   end: (call) => ('result' in call || 'error' in call) && answered(call),
 *   asyncStart: () => {},
 *   asyncEnd: answered,
 *   error: () => {},
 * });
 * ```
 */
export const SERVER_TRACING_CHANNEL = 'localwire:rpc:server';

/**
 * The `node:diagnostics_channel` tracing channel on which every request this
 * process sends is published (a client's, and a handler's `ctx.request` to
 * its peer), with an {@link RpcClientTraceContext}.
 */
export const CLIENT_TRACING_CHANNEL = 'localwire:rpc:client';

/**
 * What each event of a tracing channel carries about one request: the same
 * object from `start` to `asyncEnd`, filled in as the call goes (subscribers
 * can key their own state, a span, by it). The events follow
 * `tracingChannel`'s convention: `start` before the request is handled or
 * sent; `end` when the synchronous part returns (a synchronous handler's
 * outcome is already there); for a call that completes later, `asyncStart`
 * and `asyncEnd` when it has, its outcome set; and `error` (before `end`, or
 * before `asyncStart`) when it fails. So a call whose outcome is set at `end`
 * is done there, any other at `asyncEnd`.
 *
 * Only requests are published; notifications have no id and no outcome to
 * report (and subscription pushes would flood a tracer). Each request of a
 * batch is published as a call of its own.
 */
export interface RpcTraceContext {
  /** The method called. */
  readonly method: string;
  /** The request's id. */
  readonly id: string | number | null;
  /** The params as sent, if any. */
  readonly params: RpcParams | undefined;
  /** The result, once the call has succeeded. */
  result?: unknown;
  /**
   * Why the call failed, once it has: an {@link RpcError} with the code,
   * message and data of the error answer (on the server side the answer
   * sent, so an unexpected handler error shows as `-32603`, as the peer saw
   * it; the error itself goes to `onError`). On the client side also a
   * `TransportError` (`ETIMEDOUT`, `ABORT_ERR`, `ECONNRESET`, …) for a
   * request that got no answer.
   */
  error?: unknown;
  /**
   * The JSON-RPC error code of an error answer (`-32800` for a call
   * cancelled on the server side; none when no answer came).
   */
  errorCode?: number;
}

/** An incoming request, as {@link SERVER_TRACING_CHANNEL} publishes it. */
export interface RpcServerTraceContext extends RpcTraceContext {
  /** The caller's credentials, as the transport reports them. */
  readonly peer: PeerInfo | undefined;
}

/** An outgoing request, as {@link CLIENT_TRACING_CHANNEL} publishes it. */
export type RpcClientTraceContext = RpcTraceContext;

const server: TracingChannel<unknown, RpcServerTraceContext> =
  tracingChannel(SERVER_TRACING_CHANNEL);
const client: TracingChannel<unknown, RpcClientTraceContext> =
  tracingChannel(CLIENT_TRACING_CHANNEL);

/**
 * True when any of `channel`'s five events has a subscriber. (Node 20.13
 * has `TracingChannel.hasSubscribers` for this; the engines allow 20.0.)
 */
function observed(channel: TracingChannel<unknown, RpcTraceContext>): boolean {
  return (
    channel.start.hasSubscribers ||
    channel.end.hasSubscribers ||
    channel.asyncStart.hasSubscribers ||
    channel.asyncEnd.hasSubscribers ||
    channel.error.hasSubscribers
  );
}

/** True when outgoing requests are to be published: then send them with {@link traceRequest}. */
export function clientObserved(): boolean {
  return observed(client);
}

/** Where an incoming call comes from: its context, and the peer's credentials. */
export interface TracedSource extends ContextSource {
  /** The peer's credentials, as the transport reports them. */
  readonly peer: PeerInfo | undefined;
}

/**
 * Runs `methods.call(request, source)`, published on the server channel
 * when it has subscribers and `request` is not a notification; otherwise
 * just calls it (no context object, no closure). The answer traced is the
 * one sent, `-32800` for a cancelled call included.
 */
export function callTraced(
  methods: MethodTable,
  request: JSONRPCRequest,
  source: TracedSource,
): Answer | PromiseLike<Answer> {
  const id = request.id;
  if (id === undefined || !observed(server)) return methods.call(request, source);
  const trace: RpcServerTraceContext = {
    method: request.method,
    id,
    params: request.params,
    peer: source.peer,
  };
  // runStores: the handler runs in the context a subscriber bound to `start`
  // (an OpenTelemetry span's, say), so what it does nests under the call.
  return server.start.runStores(trace, () => {
    const answer = methods.call(request, source);
    if (!isThenable(answer)) {
      answered(trace, answer);
      server.end.publish(trace);
      return answer;
    }
    server.end.publish(trace);
    return answer.then((late) => {
      answered(trace, late);
      server.asyncStart.publish(trace);
      server.asyncEnd.publish(trace);
      return late;
    });
  });
}

/** Records the answer sent to a traced request; publishes `error` for an error answer. */
function answered(trace: RpcServerTraceContext, answer: Answer): void {
  const error = answer?.error;
  if (error) {
    trace.errorCode = error.code;
    trace.error = new RpcError(error.code, error.message, error.data);
    server.error.publish(trace);
  } else {
    trace.result = answer?.result;
  }
}

/** Records a traced outgoing call's failure and publishes `error`. */
function failed(trace: RpcClientTraceContext, error: unknown): void {
  trace.error = error;
  if (isRpcError(error)) trace.errorCode = error.code;
  client.error.publish(trace);
}

/** Publishes a traced outgoing call's completion. */
function completed(trace: RpcClientTraceContext): void {
  client.asyncStart.publish(trace);
  client.asyncEnd.publish(trace);
}

/**
 * `send()` (which sends the request `trace` describes and resolves with its
 * result) published on the client channel. Call it only when
 * {@link clientObserved}.
 */
export function traceRequest<T>(trace: RpcClientTraceContext, send: () => Promise<T>): Promise<T> {
  return client.start.runStores(trace, () => {
    const pending = send();
    client.end.publish(trace);
    return pending.then(
      (result) => {
        trace.result = result;
        completed(trace);
        return result;
      },
      (error: unknown) => {
        failed(trace, error);
        completed(trace);
        throw error;
      },
    );
  });
}

/**
 * `send()` (which sends `requests` as one batch and resolves with one entry
 * per request, `undefined` for notifications) published on the client
 * channel, each request as a call of its own. Call it only when
 * {@link clientObserved}.
 */
export function traceBatch(
  requests: readonly JSONRPCRequest[],
  send: () => Promise<Array<BatchResult | undefined>>,
): Promise<Array<BatchResult | undefined>> {
  const traces = requests.map((request): RpcClientTraceContext | undefined =>
    request.id === undefined
      ? undefined
      : { method: request.method, id: request.id, params: request.params },
  );
  for (const trace of traces) if (trace) client.start.publish(trace);
  const pending = send();
  for (const trace of traces) if (trace) client.end.publish(trace);
  return pending.then(
    (results) => {
      traces.forEach((trace, i) => {
        if (trace === undefined) return;
        // A request's entry is always there; only notifications' are undefined.
        const entry = results[i] as BatchResult;
        if (entry.ok) trace.result = entry.result;
        else failed(trace, entry.error);
        completed(trace);
      });
      return results;
    },
    (error: unknown) => {
      for (const trace of traces) {
        if (trace === undefined) continue;
        failed(trace, error);
        completed(trace);
      }
      throw error;
    },
  );
}
