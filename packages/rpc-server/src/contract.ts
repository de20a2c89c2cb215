/**
 * Types derived from a methods object (`typeof methods`), so that a client
 * and a handler's `context` check method names, params and results at
 * compile time. Types only: nothing here runs but the identity
 * {@link defineMethods}.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type {
  RequestOptions,
  RpcContext,
  RpcHandler,
  RpcMethodDefinition,
  RpcMethods,
} from './context.js';
import type { RpcError } from './errors.js';
import type { RpcParams } from './protocol.js';
import type { RpcSubscription, SubscribeOptions } from './subscription-stream.js';

/**
 * The method names of a methods type `M`: `typeof methods` (see
 * {@link defineMethods}), or a declared map such as
 * `interface Api { add(params: [number, number]): number }`. A type with a
 * string index signature (like {@link RpcMethods}) stands for any method.
 */
export type RpcMethodName<M> = Extract<keyof M, string>;

/**
 * A methods type that names no method in particular: any method goes, params
 * and results unchecked. The default of every type parameter for the other
 * side's methods.
 */
export type UntypedMethods = { readonly [method: string]: unknown };

/** True when `M` names no methods in particular (it has a string index signature). */
type IsUntyped<M> = string extends RpcMethodName<M> ? true : false;

/** The output of a params check: what the handler gets. */
type CheckOutput<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<S>
  : S extends (params: unknown) => infer P
    ? P
    : // biome-ignore lint/suspicious/noExplicitAny: no check: the handler declares its params.
      any;

/** The input of a params check: what the caller sends. */
type CheckInput<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferInput<S>
  : S extends (params: unknown) => infer P
    ? P
    : unknown;

/**
 * The params a caller sends to method `K` of `M`: its `params` schema's input
 * type, else (a check function) what the check returns, else the params the
 * handler declares. `unknown` when nothing says.
 */
export type RpcMethodParams<M, K extends keyof M> =
  M[K] extends Record<'params', infer S>
    ? CheckInput<S>
    : // biome-ignore lint/suspicious/noExplicitAny: matches any handler's context.
      M[K] extends Record<'handler', (params: infer P, ...context: any[]) => unknown>
      ? P
      : // biome-ignore lint/suspicious/noExplicitAny: as above.
        M[K] extends (params: infer P, ...context: any[]) => unknown
        ? P
        : unknown;

/**
 * What a caller of method `K` of `M` gets: its `result` schema's output type,
 * else what the handler returns (awaited).
 */
export type RpcMethodResult<M, K extends keyof M> =
  M[K] extends Record<'result', infer S extends StandardSchemaV1>
    ? StandardSchemaV1.InferOutput<S>
    : // biome-ignore lint/suspicious/noExplicitAny: any params, any context.
      M[K] extends Record<'handler', (...args: any[]) => infer R>
      ? Awaited<R>
      : // biome-ignore lint/suspicious/noExplicitAny: as above.
        M[K] extends (...args: any[]) => infer R
        ? Awaited<R>
        : unknown;

/**
 * The params argument and what follows it: optional where the params may be
 * left out (`undefined` or `unknown` fits them), else required. (`& RpcParams`
 * keeps every typed signature assignable from the untyped one, so a handler
 * that declares a typed context is still a handler.)
 */
type ParamsArgs<P, Rest extends unknown[]> = unknown extends P
  ? [params?: RpcParams, ...rest: Rest]
  : undefined extends P
    ? [params?: P & RpcParams, ...rest: Rest]
    : [params: P & RpcParams, ...rest: Rest];

/** The arguments after the method name of a call of method `K` of `M`. */
export type RpcRequestArgs<M, K extends keyof M> = ParamsArgs<
  RpcMethodParams<M, K>,
  [options?: RequestOptions]
>;

/** `request` of a peer whose methods are not known: any method, the result as you declare it. */
export type UntypedRequest = <T = unknown>(
  method: string,
  params?: RpcParams,
  options?: RequestOptions,
) => Promise<T>;

/** `notify` of a peer whose methods are not known. */
export type UntypedNotify = (method: string, params?: RpcParams) => void;

/**
 * Calls method `method` of a peer serving `M` and resolves with its result:
 * the method name, the params and the result type are checked against `M`.
 * Untyped ({@link UntypedRequest}) when `M` names no methods in particular.
 */
export type RpcRequest<M> =
  IsUntyped<M> extends true
    ? UntypedRequest
    : <K extends RpcMethodName<M>>(
        method: K,
        ...args: RpcRequestArgs<M, K>
      ) => Promise<RpcMethodResult<M, K>>;

/**
 * Sends a notification (no answer) to a peer serving `M`, checked as
 * {@link RpcRequest} is. @throws {TypeError} if `params` cannot be serialized.
 */
export type RpcNotify<M> =
  IsUntyped<M> extends true
    ? UntypedNotify
    : <K extends RpcMethodName<M>>(
        method: K,
        ...args: ParamsArgs<RpcMethodParams<M, K>, []>
      ) => void;

/** One call of a {@link RpcClient.batch}. */
export interface BatchCall {
  /** The method to call. */
  method: string;
  /** Its params. */
  params?: RpcParams;
  /** Send it as a notification: no answer is expected. */
  notification?: boolean;
}

/** The outcome of one request of a batch; `T` is the method's result type. */
export type BatchResult<T = unknown> =
  | {
      /** The call succeeded. */
      ok: true;
      /** Its result. */
      result: T;
    }
  | {
      /** The call failed. */
      ok: false;
      /** The error the server answered with. */
      error: RpcError;
    };

/** The `params` member of a batch call: optional as {@link ParamsArgs} says. */
type ParamsMember<P> = unknown extends P
  ? { params?: RpcParams }
  : undefined extends P
    ? { params?: P & RpcParams }
    : { params: P & RpcParams };

/**
 * One call of a typed batch: a method of `M` with its params, or a
 * notification of it (`notification: true`).
 */
export type RpcBatchCall<M> = {
  [K in RpcMethodName<M>]: {
    /** The method to call. */
    method: K;
    /** Send it as a notification: no answer is expected. */
    notification?: boolean;
  } & ParamsMember<RpcMethodParams<M, K>>;
}[RpcMethodName<M>];

/** The entry of a batch's answer for `call`: `undefined` for a notification. */
type BatchEntry<M, Call> = Call extends { method: infer K extends RpcMethodName<M> }
  ? Call extends { notification: true }
    ? undefined
    : 'notification' extends keyof Call
      ? Call extends { notification?: false | undefined }
        ? BatchResult<RpcMethodResult<M, K>>
        : BatchResult<RpcMethodResult<M, K>> | undefined
      : BatchResult<RpcMethodResult<M, K>>
  : never;

/** `batch` of a peer whose methods are not known. */
export type UntypedBatch = (
  calls: readonly BatchCall[],
  options?: RequestOptions,
) => Promise<Array<BatchResult | undefined>>;

/**
 * Sends `calls` as one batch to a peer serving `M`; resolves with one entry
 * per call, in order, each typed with its method's result.
 */
export type RpcBatch<M> =
  IsUntyped<M> extends true
    ? UntypedBatch
    : <const Calls extends readonly [RpcBatchCall<M>, ...RpcBatchCall<M>[]]>(
        calls: Calls,
        options?: RequestOptions,
      ) => Promise<{ -readonly [I in keyof Calls]: BatchEntry<M, Calls[I]> }>;

/** The method a subscribe call with options `O` calls: its `subscribeMethod`, default `'subscribe'`. */
type SubscribeMethodOf<O> = O extends { subscribeMethod: infer S extends string } ? S : 'subscribe';

/** The notification a subscribe call with options `O` reads: its `notificationMethod`, default `'subscription'`. */
type NotificationMethodOf<O> = O extends { notificationMethod: infer N extends string }
  ? N
  : 'subscription';

/** The params `[topic, ...args]` of `M`'s method `S`, if it has one. */
type SubscribeParams<M, S> = S extends keyof M ? RpcMethodParams<M, S> : never;

/** The topics among subscribe params `P` (a union of `[topic, ...args]` tuples). */
type TopicOf<P> = P extends readonly [infer T extends string, ...unknown[]] ? T : never;

/** The args that follow `topic` in subscribe params `P`. */
type TopicArgs<P, Topic> = P extends readonly [Topic, ...infer A] ? A : never;

/**
 * The topics `M`'s subscribe method `S` takes, as its params declare them
 * (`subscribe(params: ['ticks', intervalMs: number] | ['blocks']): string`).
 */
export type RpcTopic<M, S extends string = 'subscribe'> = TopicOf<SubscribeParams<M, S>>;

/**
 * What each push of a subscription carries, read from `Local`'s notification
 * method `N` (params `{ subscription, result }`): its `result`'s type;
 * `unknown` when `Local` does not declare it.
 */
export type RpcPushResult<Local, N extends string = 'subscription'> = N extends keyof Local
  ? RpcMethodParams<Local, N> extends Record<'result', infer R>
    ? R
    : unknown
  : unknown;

/** The args and options after the topic: the args may be left out where the topic takes none. */
type SubscribeRest<A, O> = [] extends A ? [args?: A, options?: O] : [args: A, options?: O];

/** `subscribe` of a peer whose methods are not known: any topic, the pushes' type as you declare it. */
export type UntypedSubscribe = <T = unknown>(
  topic: string,
  args?: readonly unknown[],
  options?: SubscribeOptions,
) => Promise<RpcSubscription<T>>;

/**
 * Subscribes to `topic` of a peer serving `Remote`, with pushes read as
 * `Local` declares them: the topic and its args are checked against
 * `Remote`'s subscribe method's params, and each push's type is `Local`'s
 * notification's `result` (see {@link RpcPushResult}). The method names
 * are the options' (`subscribeMethod`, `notificationMethod`), as literals.
 * Untyped ({@link UntypedSubscribe}) when `Remote` names no methods in particular.
 *
 * @example
 * {@includeCode ../examples/typed-subscribe.ts}
 */
export type RpcSubscribe<Remote, Local> =
  IsUntyped<Remote> extends true
    ? UntypedSubscribe
    : <
        K extends RpcTopic<Remote, SubscribeMethodOf<O>>,
        const O extends SubscribeOptions = Record<never, never>,
      >(
        topic: K,
        ...rest: SubscribeRest<TopicArgs<SubscribeParams<Remote, SubscribeMethodOf<O>>, K>, O>
      ) => Promise<RpcSubscription<RpcPushResult<Local, NotificationMethodOf<O>>>>;

/** A handler for method `K` of `Local`, called by a peer serving `Remote`. */
type LocalHandler<Local, K extends keyof Local, Remote extends object> = RpcHandler<
  RpcMethodParams<Local, K>,
  RpcMethodResult<Local, K>,
  Remote
>;

/** A handler of any method, taking the params it declares. */
// biome-ignore lint/suspicious/noExplicitAny: as RpcHandler's default.
type AnyHandler<Remote extends object> = RpcHandler<any, unknown, Remote>;

/**
 * Handles `method` when the peer sends it (a notification or a request),
 * with handlers checked against `Local`, this side's methods; their context
 * calls back a peer serving `Remote`. Returns a function that removes the
 * handler.
 */
export type RpcOn<Local, Remote extends object> =
  IsUntyped<Local> extends true
    ? (method: string, handler: AnyHandler<Remote> | RpcMethodDefinition) => () => void
    : <K extends RpcMethodName<Local>>(
        method: K,
        handler: LocalHandler<Local, K, Remote> | RpcMethodDefinition,
      ) => () => void;

/** What a handler may return given its entry `E`: its `result` schema's input type, else anything. */
type HandlerResult<E> = E extends { result: infer S extends StandardSchemaV1 }
  ? StandardSchemaV1.InferInput<S>
  : unknown;

/**
 * What {@link defineMethods} checks each entry against: a handler, or a
 * definition whose handler gets the output of `S` (the entry's params check)
 * and returns what the entry `E`'s result schema accepts.
 */
type MethodShape<S, E> =
  | RpcHandler
  | {
      params?: S;
      result?: StandardSchemaV1;
      handler: (
        params: CheckOutput<S>,
        // biome-ignore lint/suspicious/noExplicitAny: a handler may declare its context with the peer's methods.
        context: RpcContext<any>,
      ) => HandlerResult<E> | Promise<HandlerResult<E>>;
    };

/**
 * Declares a server's methods so their types can be shared with clients: at
 * run time it returns `methods` as they are. Each entry is a handler
 * `(params, context) => result`, or `{ params, result?, handler }` whose
 * `params` is a Standard Schema v1 validator (zod, valibot, arktype, …) or a
 * check function; the handler's params are then inferred from it, and a
 * handler that returns what its `result` schema does not accept is a compile
 * error. Pass `typeof methods` to `connectRpc` for a client checked against
 * them.
 *
 * @example
 * {@includeCode ../examples/define-methods.ts}
 */
export function defineMethods<M, S>(
  // M is the object as written; S maps each name to its params check, inferred
  // first so that the handler's params can be typed from it.
  methods: M & { [K in keyof S]: MethodShape<S[K], K extends keyof M ? M[K] : unknown> },
): M {
  return methods;
}
