import type {
  AnyConnectOptions,
  Connection,
  ConnectOptions,
  ListenOptions,
  Transport,
} from '@localwire/transport';
import { type Codec, ndjson } from '@localwire/transport/framing';
import {
  createJSONRPCNotification,
  type JSONRPCID,
  type JSONRPCRequest,
  type JSONRPCResponse,
} from 'json-rpc-2.0';
import { Backoff, type ReconnectOptions, resolveBackoff } from './backoff.js';
import type { RpcClientEventMap, RpcClientState, RpcCloseReason } from './client-events.js';
import type { RequestOptions, RpcHandler, RpcMethodDefinition } from './context.js';
import type {
  BatchCall,
  BatchResult,
  RpcBatch,
  RpcNotify,
  RpcOn,
  RpcRequest,
  RpcSubscribe,
  UntypedMethods,
} from './contract.js';
import { DEFAULT_CANCEL_METHOD, Endpoint } from './endpoint.js';
import { RpcError } from './errors.js';
import { type RpcLimits, resolveLimits } from './limits.js';
import { MethodTable } from './methods.js';
import type { RpcParams } from './protocol.js';
import { Link, waitForServer } from './reconnect.js';
import { type RpcSubscription, type SubscribeOptions, Subscriber } from './subscription-stream.js';
import { clientObserved, traceBatch } from './tracing.js';
import { Watchdog } from './watchdog.js';

/** How {@link connectRpc} connects and behaves. */
export interface RpcClientOptions<C extends ConnectOptions = ConnectOptions> {
  /** Options for the transport's `connect` (connect timeout, abort signal, …). */
  connect?: C;
  /**
   * Message framing; must match the server's (if not, requests fail with
   * `ECONNRESET` rather than hang). Default `ndjson`.
   */
  codec?: Codec;
  /** Limits on what the server sends; see {@link RpcLimits}. */
  limits?: RpcLimits;
  /** Default timeout of each request, in milliseconds. Default: none. */
  requestTimeout?: number;
  /** Send the message of an unexpected error thrown by an {@link RpcClient.on} handler. Default false. */
  exposeErrorMessages?: boolean;
  /** Told of errors no caller hears about (see the server's `onError`). Default: ignored. */
  onError?: (error: unknown) => void;
  /**
   * The notification sent, with params `{ id }`, when a request's `signal`
   * aborts or its `timeout` fires (the request still rejects at once), so the
   * server can stop working on it: LSP's `$/cancelRequest` by default, which
   * localwire and vscode-jsonrpc servers take. For a batch, one is sent per
   * request still unanswered. The same method from the server cancels the
   * server's calls to this client's {@link RpcClient.on} handlers. `false`:
   * never sent nor taken (for servers that log unknown notifications, say).
   * Default `'$/cancelRequest'`.
   */
  cancelMethod?: string | false;
  /**
   * Reconnect when the connection drops: `true` for the defaults, or how
   * (see {@link ReconnectOptions}: 50 ms doubling up to 5 s, with jitter,
   * without end). Only "not there (yet)" errors (`ENOENT`, `ECONNREFUSED`,
   * `ECONNRESET`, `EPIPE`, a pipe busy or broken) are retried; any other
   * (`EACCES`, an owner check that failed, `EINVAL`) closes the client with
   * it, as does the server refusing the connection or sending what cannot be
   * read. While reconnecting, calls wait (see `whileDisconnected`,
   * `maxQueued`); calls in flight as it dropped reject with `ECONNRESET`,
   * but those marked `idempotent` are sent again; `on` handlers and
   * `subscribe` iterators carry on (see {@link RpcSubscriptionGapEvent}).
   * Default: off (the first drop closes the client).
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * Let the first connect wait for a server that is not there yet (an app
   * started before its daemon): it is retried as a reconnect is (with the
   * `reconnect` backoff, or its defaults), bounded by `connect.timeout` and
   * `connect.signal`, and fails at once on an error no wait fixes. Default false.
   */
  waitForServer?: boolean;
  /**
   * With `reconnect`: the most calls that may wait for the connection at
   * once; one more rejects with a {@link RequestQueueFullError}
   * (`ERR_REQUEST_QUEUE_FULL`). Default 1,000.
   */
  maxQueued?: number;
  /**
   * With `reconnect`: what a call made while reconnecting does unless it
   * says otherwise (its own `whileDisconnected`): `'queue'` (default) waits
   * for the connection, `'reject'` rejects at once with `ECONNRESET`.
   */
  whileDisconnected?: 'queue' | 'reject';
}

const DEFAULT_MAX_QUEUED = 1000;

const ignore = () => {};

/**
 * A connection to a JSON-RPC 2.0 server. Create it with {@link connectRpc}.
 *
 * `Remote` is what the server serves (`typeof methods`, see
 * {@link defineMethods}, or a declared map): with it, `request`, `notify` and
 * `batch` check the method names, params and result types. `Local` is what
 * this client handles when the server calls or notifies it (see `on`).
 * Without them (the default {@link UntypedMethods}) any method goes, as
 * `request<T>(method, params)`.
 *
 * @example
 * {@includeCode ../examples/typed-client.ts}
 */
export interface RpcClient<
  Remote extends object = UntypedMethods,
  Local extends object = UntypedMethods,
> {
  /** The underlying connection: the current one (while reconnecting, the one that dropped). */
  readonly connection: Connection;
  /**
   * Aborts when the client closes for good (its reason: {@link RpcCloseReason.error}):
   * with `reconnect`, not at a drop it reconnects from.
   */
  readonly signal: AbortSignal;
  /** `'open'`, `'reconnecting'` or `'closed'`; each change is a `statechange` event. */
  readonly state: RpcClientState;
  /** Why the client closed, once it has (`state` is `'closed'`); else undefined. */
  readonly closeReason: RpcCloseReason | undefined;
  /**
   * Listens for `statechange` ({@link RpcStateChangeEvent}: `state`,
   * `previous`, `error`, `reason`) and `reconnected`
   * ({@link RpcReconnectedEvent}: `attempts`). The client is an `EventTarget`.
   */
  addEventListener<K extends keyof RpcClientEventMap>(
    type: K,
    listener: (event: RpcClientEventMap[K]) => void,
    options?: Parameters<EventTarget['addEventListener']>[2],
  ): void;
  /** Removes a listener {@link RpcClient.addEventListener} added. */
  removeEventListener<K extends keyof RpcClientEventMap>(
    type: K,
    listener: (event: RpcClientEventMap[K]) => void,
    options?: Parameters<EventTarget['removeEventListener']>[2],
  ): void;
  /**
   * Calls `method` and resolves with its result:
   * `request(method, params?, { timeout, signal }?)`.
   * Rejects with an `RpcError` when the server answers with an error, and
   * with a `TransportError` coded `ETIMEDOUT` (timeout), `ABORT_ERR` (signal)
   * or `ECONNRESET` (the connection closed first).
   */
  readonly request: RpcRequest<Remote>;
  /** Sends a notification (no answer). @throws {TypeError} if `params` cannot be serialized. */
  readonly notify: RpcNotify<Remote>;
  /**
   * Sends `calls` (`[{ method, params?, notification? }, …]`) as one batch.
   * Resolves with one entry per call, in order: a {@link BatchResult} for
   * each request, `undefined` for each notification. Rejects with an
   * `RpcError` when the server refuses the batch as a whole (one error
   * without an id, as the spec says: a batch over its size limit, say), and
   * as `request` does for a timeout, an abort or a closed connection.
   */
  readonly batch: RpcBatch<Remote>;
  /**
   * Handles `method` when the server sends it: notifications (a subscription's
   * pushes, say) and requests, whose answer is the handler's return value.
   * Replaces an earlier handler for the same method. Returns a function that
   * removes this handler.
   */
  readonly on: RpcOn<Local, Remote>;
  /**
   * Subscribes to `topic` of a server that serves subscriptions the way
   * `createSubscriptions` (and go-ethereum) does: calls its subscribe method
   * with `[topic, ...args]` and resolves with an {@link RpcSubscription} to
   * iterate for each push's `result`. `break` unsubscribes; a closed
   * connection ends the iteration with `ECONNRESET`; more than `maxBuffered`
   * pushes (default 1,000) waiting unread fail it with
   * {@link SubscriptionOverflowError}. Rejects as `request` does when the
   * subscribe call fails. This client then handles the notification method
   * itself: do not also `on` it.
   *
   * @example
   * {@includeCode ../examples/subscribe.ts}
   */
  readonly subscribe: RpcSubscribe<Remote, Local>;
  /**
   * Closes the connection (and stops reconnecting): requests still waiting,
   * or queued, reject with `ECONNRESET`; calls the server made to this
   * client finish first. Resolves once closed; no timer or handle is left.
   */
  close(): Promise<void>;
}

/** The result of one call of a batch from its answer (none: the server sent none). */
function batchResult(response: JSONRPCResponse | undefined): BatchResult {
  if (response === undefined) {
    return { ok: false, error: new RpcError(0, 'the server sent no answer for this call') };
  }
  const { error } = response;
  return error
    ? { ok: false, error: new RpcError(error.code, error.message, error.data) }
    : { ok: true, result: response.result };
}

/** The client itself; the typed views of {@link RpcClient} are all this one object. */
class Client implements RpcClient {
  /** Made when a listener is first added: most clients never add one, and no listener, no event to dispatch. */
  #events: EventTarget | undefined;
  readonly #link: Link;
  readonly #methods: MethodTable;
  /** This client's `on` handlers, by method; made on the first `on` (most clients never call it). */
  #handlers: Map<string, RpcHandler | RpcMethodDefinition> | undefined;
  /** Made on the first `subscribe`: most clients never subscribe. */
  #subscriber: Subscriber | undefined;
  readonly #address: string;

  /** Use {@link connectRpc}. */
  constructor(
    connection: Connection,
    transport: Transport,
    address: string,
    options: RpcClientOptions,
    limits: Required<RpcLimits>,
    backoff: Backoff | undefined,
  ) {
    const onError = options.onError ?? ignore;
    const methods = new MethodTable(
      {},
      { exposeErrorMessages: options.exposeErrorMessages ?? false, onError },
    );
    this.#methods = methods;
    // One method table for every connection: on() handlers outlive a reconnect.
    const endpoint = (c: Connection) =>
      new Endpoint(c, {
        codec: options.codec ?? ndjson,
        limits,
        methods,
        address,
        requestTimeout: options.requestTimeout,
        onError,
        watchdog: Watchdog.shared(limits),
        cancelMethod: options.cancelMethod ?? DEFAULT_CANCEL_METHOD,
        role: 'client',
        onClosed: (closed) => this.#link.lost(closed),
      });
    this.#link = new Link(endpoint(connection), {
      transport,
      address,
      connect: options.connect,
      backoff,
      maxQueued: options.maxQueued ?? DEFAULT_MAX_QUEUED,
      whileDisconnected: options.whileDisconnected ?? 'queue',
      requestTimeout: options.requestTimeout,
      endpoint,
      emit: (make) => this.#events?.dispatchEvent(make()),
      restored: () => this.#subscriber?.reconnected(),
    });
    this.#address = address;
  }

  get connection(): Connection {
    return this.#link.endpoint.connection;
  }

  get signal(): AbortSignal {
    return this.#link.signal;
  }

  get state(): RpcClientState {
    return this.#link.state;
  }

  get closeReason(): RpcCloseReason | undefined {
    return this.#link.closeReason;
  }

  addEventListener<K extends keyof RpcClientEventMap>(
    type: K,
    listener: (event: RpcClientEventMap[K]) => void,
    options?: Parameters<EventTarget['addEventListener']>[2],
  ): void {
    this.#events ??= new EventTarget();
    this.#events.addEventListener(type, listener as (event: Event) => void, options);
  }

  removeEventListener<K extends keyof RpcClientEventMap>(
    type: K,
    listener: (event: RpcClientEventMap[K]) => void,
    options?: Parameters<EventTarget['removeEventListener']>[2],
  ): void {
    this.#events?.removeEventListener(type, listener as (event: Event) => void, options);
  }

  request<T = unknown>(method: string, params?: RpcParams, options?: RequestOptions): Promise<T> {
    const direct = this.#link.direct(options);
    if (direct !== undefined) return direct.request<T>(method, params, options);
    return this.#link.call(method, options, (endpoint, sendOptions) =>
      endpoint.request<T>(method, params, sendOptions),
    );
  }

  notify(method: string, params?: RpcParams): void {
    this.#link.endpoint.notify(method, params);
  }

  batch(
    calls: readonly BatchCall[],
    options?: RequestOptions,
  ): Promise<Array<BatchResult | undefined>> {
    if (calls.length === 0) {
      return Promise.reject(new TypeError('a batch needs at least one call'));
    }
    return this.#link.call(calls.length, options, (endpoint, sendOptions) => {
      // Members in the order of a single request (see message-text.ts).
      const requests: JSONRPCRequest[] = calls.map((call) =>
        call.notification
          ? createJSONRPCNotification(call.method, call.params)
          : { jsonrpc: '2.0', method: call.method, params: call.params, id: endpoint.nextId() },
      );
      return clientObserved()
        ? traceBatch(requests, () => this.#batch(endpoint, requests, sendOptions))
        : this.#batch(endpoint, requests, sendOptions);
    });
  }

  /** Sends `requests` as one batch on `endpoint`; one entry per request, in order. */
  async #batch(
    endpoint: Endpoint,
    requests: JSONRPCRequest[],
    options: RequestOptions | undefined,
  ): Promise<Array<BatchResult | undefined>> {
    const responses = await endpoint.batch(requests, options);
    const results: Array<BatchResult | undefined> = new Array(requests.length);
    // Answers usually come in the order asked: each is matched where it is
    // expected, and only when one is not there is a map by id made.
    let next = 0;
    let byId: Map<JSONRPCID, JSONRPCResponse> | undefined;
    for (let k = 0; k < requests.length; k++) {
      const { id } = requests[k]!;
      if (id === undefined) {
        results[k] = undefined;
        continue;
      }
      let response = responses[next];
      if (response !== undefined && response.id === id) {
        next++;
      } else {
        byId ??= new Map(responses.map((r) => [r.id, r]));
        response = byId.get(id);
      }
      results[k] = batchResult(response);
    }
    return results;
  }

  on(method: string, handler: RpcHandler | RpcMethodDefinition): () => void {
    // The table first: it throws on a malformed definition, before anything changed.
    this.#methods.set(method, handler);
    this.#handlers ??= new Map();
    const handlers = this.#handlers;
    handlers.set(method, handler);
    return () => {
      if (handlers.get(method) !== handler) return;
      handlers.delete(method);
      this.#methods.delete(method);
    };
  }

  subscribe<T = unknown>(
    topic: string,
    args?: readonly unknown[],
    options?: SubscribeOptions,
  ): Promise<RpcSubscription<T>> {
    this.#subscriber ??= new Subscriber(this, this.#address);
    return this.#subscriber.subscribe(topic, args, options) as Promise<RpcSubscription<T>>;
  }

  close(): Promise<void> {
    return this.#link.close();
  }
}

/**
 * Connects to the JSON-RPC 2.0 server at `address` over `transport`: an
 * untyped client, whose `request<T>(method, params?)` takes any method; the
 * transport's own connect options are inferred (`options.connect`).
 *
 * @example
 * {@includeCode ../examples/connect.ts}
 */
export function connectRpc<C extends ConnectOptions>(
  transport: Transport<ListenOptions, C>,
  address: string,
  options?: RpcClientOptions<C>,
): Promise<RpcClient>;
/**
 * Connects to the JSON-RPC 2.0 server at `address` over `transport`: a client
 * checked against `Remote`, the server's methods (`typeof methods` from
 * {@link defineMethods}, or a declared map), and handling `Local`, this
 * client's own methods and notifications (see {@link RpcClient}). With the
 * type arguments given, TypeScript infers no others, so `options.connect` is
 * checked against the connect options of every transport package in the
 * program (`ConnectOptionsByTransport` in `@localwire/transport`).
 *
 * @example
 * {@includeCode ../examples/connect-by-transport.ts}
 */
export function connectRpc<Remote extends object, Local extends object = UntypedMethods>(
  transport: Transport,
  address: string,
  options?: RpcClientOptions<AnyConnectOptions>,
): Promise<RpcClient<Remote, Local>>;
export async function connectRpc(
  transport: Transport,
  address: string,
  options: RpcClientOptions = {},
): Promise<RpcClient> {
  const limits = resolveLimits(options.limits);
  const backoff = resolveBackoff(options.reconnect);
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  if (!(Number.isInteger(maxQueued) && maxQueued >= 0) && maxQueued !== Number.POSITIVE_INFINITY) {
    throw Object.assign(
      new RangeError(`maxQueued must be an integer >= 0 or Infinity, got ${maxQueued}`),
      { code: 'ERR_OUT_OF_RANGE' },
    );
  }
  const connection = options.waitForServer
    ? await waitForServer(transport, address, options.connect, backoff ?? new Backoff())
    : await transport.connect(address, options.connect);
  return new Client(connection, transport, address, options, limits, backoff);
}
