import { Socket } from 'node:net';
import { type Connection, type PeerInfo, TransportError } from '@localwire/transport';
import type { Codec, FramingError } from '@localwire/transport/framing';
import {
  createJSONRPCErrorResponse,
  createJSONRPCNotification,
  type JSONRPCID,
  type JSONRPCRequest,
  type JSONRPCResponse,
} from 'json-rpc-2.0';
import { CallContext, type CallHost, CallsInFlight } from './call-context.js';
import type { RequestOptions } from './context.js';
import {
  type DispatchTarget,
  dispatch,
  dispatchLate,
  framingErrorReply,
  type Reply,
} from './dispatch.js';
import { RpcError, RpcErrorCode } from './errors.js';
import { Inbound, type InboundSink } from './inbound.js';
import { Lifecycle, Phase } from './lifecycle.js';
import type { RpcLimits } from './limits.js';
import { frameRequest, frameResponse } from './message-text.js';
import type { MethodTable } from './methods.js';
import { abortError, describeRequest, OutgoingRequests, type RequestLabel } from './outgoing.js';
import type { RpcParams } from './protocol.js';
import { ReportThrottle } from './throttle.js';
import { clientObserved, traceRequest } from './tracing.js';
import type { Watchdog, Watched } from './watchdog.js';
import { FrameWriter, type WriterHost } from './writer.js';

/** What an {@link Endpoint} needs besides its connection. */
export interface EndpointOptions {
  /** Frames messages on the connection. */
  codec: Codec;
  /** Resolved limits. */
  limits: Required<RpcLimits>;
  /** Serves the requests and notifications the peer sends. */
  methods: MethodTable;
  /** The address, for error messages. */
  address: string;
  /** Default timeout of outgoing requests, in milliseconds. */
  requestTimeout?: number | undefined;
  /** Told of errors no caller can be told of. */
  onError: (error: unknown) => void;
  /**
   * Told when the peer is closed for not completing a message within
   * `messageTimeout` (the server rate-limits these). Default: `onError`.
   */
  onStalled?: ((make: () => Error) => void) | undefined;
  /** Checks `messageTimeout` and `idleTimeout`; none when both are off. */
  watchdog?: Watchdog | undefined;
  /**
   * Told once the connection has closed: what a server that holds thousands
   * of endpoints uses instead of a {@link Endpoint.closed} promise each.
   */
  onClosed?: ((endpoint: Endpoint) => void) | undefined;
  /**
   * The notification that cancels a request (`params: { id }`): sent for
   * this side's requests that are aborted or time out, and taken from the
   * peer to abort its calls; `false`: neither.
   */
  cancelMethod: string | false;
  /**
   * Which side this is; see {@link SideRules} for what differs. Read once, in
   * the constructor.
   */
  role: 'server' | 'client';
}

/**
 * What differs between the two sides, decided once from the role.
 *
 * A server's output answers its peer's input, so it holds the peer to it: it
 * stops reading while its write buffer is full, drops a peer that lets more
 * than `maxBufferedBytes` wait, and after ending waits for the peer to end
 * too (see {@link Endpoint.close}), so a client still writing gets its
 * answers. A client's output is its own requests: it keeps reading answers
 * while they wait (stopping would leave client and server each waiting for
 * the other), never drops the server for them, and closes as soon as its
 * side is flushed; it alone takes a server's refusal of the connection.
 */
interface SideRules {
  /** Stop reading while output waits for the peer. */
  readonly holdInputOnOutput: boolean;
  /** Drop a peer that lets more than `maxBufferedBytes` of output it did not ask for wait. */
  readonly boundsUnsolicited: boolean;
  /** After ending, wait (up to {@link LINGER_MS}) for the peer to end too. */
  readonly lingers: boolean;
  /** Take an error `-32010` without an id as the server refusing this connection. */
  readonly takesRefusal: boolean;
}

const SIDE_RULES: Readonly<Record<'server' | 'client', SideRules>> = Object.freeze({
  server: Object.freeze({
    holdInputOnOutput: true,
    boundsUnsolicited: true,
    lingers: true,
    takesRefusal: false,
  }),
  client: Object.freeze({
    holdInputOnOutput: false,
    boundsUnsolicited: false,
    lingers: false,
    takesRefusal: true,
  }),
});

/** The cancel notification of LSP (and vscode-jsonrpc), the default `cancelMethod`. */
export const DEFAULT_CANCEL_METHOD = '$/cancelRequest';

/** How long an ended connection waits for the peer to end its side before it is closed. */
const LINGER_MS = 2000;

/**
 * True when closing `connection` at once loses nothing that ending it first
 * would send: a plain `net.Socket` (Unix, TCP) whose writes the OS has all
 * taken. Closing it then tells the peer the same end of stream that
 * `end()` would, without a shutdown request and a `'finish'` to wait for (a
 * client that connects, calls and closes spends a twentieth of its time on
 * those). Not a TLS socket, whose `end()` also sends `close_notify`, nor any
 * other `Duplex`, whose written data may still be on its way.
 */
function flushedPlainSocket(connection: Connection): boolean {
  return (
    connection instanceof Socket && !('encrypted' in connection) && connection.writableLength === 0
  );
}

/**
 * The endpoint a connection's events go to. The four listeners below are
 * shared by every connection (an emitter calls its listeners with itself as
 * `this`) and find their endpoint here, rather than four closures per
 * connection: a server holding thousands of idle connections pays for each.
 */
const ENDPOINT = Symbol('localwire.endpoint');

interface EndpointConnection extends Connection {
  [ENDPOINT]: Endpoint;
}

function onData(this: EndpointConnection, chunk: Buffer): void {
  this[ENDPOINT].peerData(chunk);
}

function onEnd(this: EndpointConnection): void {
  this[ENDPOINT].peerEnded();
}

function onError(this: EndpointConnection, error: Error): void {
  this[ENDPOINT].connectionFailed(error);
}

function onClose(this: EndpointConnection): void {
  this[ENDPOINT].connectionClosed();
}

/** A response whose result (or error data) cannot be serialized, replaced by `-32603`. */
function serializable(response: JSONRPCResponse): JSONRPCResponse {
  try {
    JSON.stringify(response);
    return response;
  } catch {
    return createJSONRPCErrorResponse(
      response.id,
      RpcErrorCode.InternalError,
      'Internal error: the result cannot be serialized',
    );
  }
}

/**
 * One side of one connection, for servers and clients alike: its
 * {@link Inbound} side decodes what the peer sends, {@link dispatch} runs the
 * peer's requests through a {@link MethodTable}, a {@link FrameWriter} writes
 * the answers, and {@link OutgoingRequests} matches the peer's answers to
 * this side's own requests by id. The endpoint ties them together and runs
 * the connection's {@link Lifecycle}.
 *
 * Shutdown: once input stops (the peer ended, a fatal framing error, or
 * {@link Endpoint.close}), requests already dispatched are finished, their
 * answers written, and the connection ended (then closed once the peer ends
 * too, or at once where the connection cannot half-close). Connections are
 * half-open, as the transport contract says, so a peer that ends its side
 * first still gets every answer; over a named pipe a peer cannot end its side
 * without closing, so its requests are answered while it keeps it open.
 */
export class Endpoint
  extends Lifecycle
  implements CallHost, DispatchTarget, InboundSink, Watched, WriterHost
{
  readonly connection: Connection;
  readonly calls = new CallsInFlight();
  /** Made when {@link Endpoint.signal} is first asked for (a client's `signal`): most never are. */
  #abort: AbortController | undefined;
  /** Made on the first request this side sends: most server connections never send one. */
  #outgoing: OutgoingRequests | undefined;
  readonly #inbound: Inbound;
  readonly #writer: FrameWriter;
  readonly #options: EndpointOptions;
  readonly #rules: SideRules;
  /** Made when {@link Endpoint.closed} is first asked for, with what resolves it. */
  #closedPromise: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  #nextId = 0;
  /** Why outgoing requests can no longer be answered, once they cannot. */
  #unanswerable: string | undefined;
  #connectionError: Error | undefined;
  /** The last error the peer sent without an id, if no request took it. */
  #peerReported: RpcError | undefined;
  /** Rate-limits the reports of errors the peer sends without an id; made on the first. */
  #peerReports: ReportThrottle | undefined;
  /** Set once the server said it refuses this connection: what every request rejects with. */
  #refusal: string | undefined;
  /** Set by a fatal framing error: the peer sent what cannot be read. */
  #protocolError: FramingError | undefined;
  #closedWith: { reason: unknown } | undefined;

  constructor(connection: Connection, options: EndpointOptions) {
    super();
    this.connection = connection;
    this.#options = options;
    const rules = SIDE_RULES[options.role];
    this.#rules = rules;
    const { limits } = options;
    const writer = new FrameWriter(
      connection,
      rules.boundsUnsolicited ? limits.maxBufferedBytes : Number.POSITIVE_INFINITY,
      this,
    );
    this.#writer = writer;
    this.#inbound = new Inbound(
      options.codec.createDecoder(limits),
      limits.maxInFlight,
      rules.holdInputOnOutput ? writer : undefined,
      this,
    );
    options.watchdog?.add(this);
    (connection as EndpointConnection)[ENDPOINT] = this;
    connection.on('data', onData);
    connection.on('end', onEnd);
    connection.on('error', onError);
    connection.on('close', onClose);
    connection.resume();
  }

  /** The peer's credentials, as the transport reports them. */
  get peer(): PeerInfo | undefined {
    return this.connection.peer;
  }

  /** The methods the peer's requests and notifications are served with. */
  get methods(): MethodTable {
    return this.#options.methods;
  }

  /** The most entries a batch asking something of this side may have. */
  get maxBatchSize(): number {
    return this.#options.limits.maxBatchSize;
  }

  /** The notification that cancels a request; see {@link EndpointOptions.cancelMethod}. */
  get cancelMethod(): string | false {
    return this.#options.cancelMethod;
  }

  /** Resolves once the connection has closed. */
  get closed(): Promise<void> {
    if (this.#closedPromise === undefined) {
      this.#closedPromise = this.hasClosed
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.#resolveClosed = resolve;
          });
    }
    return this.#closedPromise;
  }

  /** The limits this connection runs under. */
  get limits(): Readonly<Required<RpcLimits>> {
    return this.#options.limits;
  }

  /** Aborts when the connection closes. */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.hasClosed) this.#abort.abort(this.#connectionError);
    }
    return this.#abort.signal;
  }

  notify(method: string, params?: RpcParams): void {
    const frame = frameRequest(this.#options.codec, createJSONRPCNotification(method, params));
    if (!this.ending) this.#writer.sendUnsolicited(frame);
  }

  request<T = unknown>(method: string, params?: RpcParams, options?: RequestOptions): Promise<T> {
    const id = ++this.#nextId;
    return clientObserved()
      ? traceRequest({ method, id, params }, () => this.#request<T>(id, method, params, options))
      : this.#request<T>(id, method, params, options);
  }

  #request<T>(
    id: number,
    method: string,
    params: RpcParams | undefined,
    options: RequestOptions | undefined,
  ): Promise<T> {
    const refused = this.#send({ jsonrpc: '2.0', method, params, id }, method, options);
    return refused ?? this.#requests().request<T>(id, method, options);
  }

  /**
   * Sends `requests` as one batch; resolves with the answers to those that
   * have ids (notifications get none), in the order they came.
   */
  batch(requests: JSONRPCRequest[], options?: RequestOptions): Promise<JSONRPCResponse[]> {
    const ids: JSONRPCID[] = [];
    for (const request of requests) if (request.id !== undefined) ids.push(request.id);
    const refused = this.#send(requests, requests.length, options);
    return refused ?? this.#requests().batch(ids, requests.length, options);
  }

  /** A fresh id for an outgoing request. */
  nextId(): number {
    return ++this.#nextId;
  }

  /**
   * Stops reading, fails this side's unanswered requests, lets the peer's
   * requests in flight finish and their answers go out, then ends the
   * connection. Resolves once it has closed.
   */
  close(reason: string): Promise<void> {
    this.#stopReading(reason, this.cancelMethod !== false);
    this.pumped();
    return this.closed;
  }

  /**
   * True while the peer is still owed answers: requests in flight, or
   * answers written but not yet taken by the peer. An endpoint that has
   * ended its side and only waits for the peer to end too is not busy.
   */
  get busy(): boolean {
    return !this.connection.destroyed && (!this.ending || this.connection.writableLength > 0);
  }

  /**
   * Closes the connection now, answered or not; the signals of the calls
   * still running abort with `reason` (else with the connection's error).
   */
  destroy(reason?: Error): void {
    if (reason !== undefined) this.calls.abortAll(reason);
    this.connection.destroy();
  }

  /** True while requests can still be sent and answered on this connection. */
  get accepting(): boolean {
    return this.#unanswerable === undefined && this.#refusal === undefined;
  }

  /**
   * Why this side stopped that is more than the connection going away: the
   * server refused the connection (its message), or sent what cannot be read.
   * A reconnecting client gives up on either.
   */
  get failure():
    | { kind: 'refused'; message: string }
    | { kind: 'protocol'; error: FramingError }
    | undefined {
    if (this.#refusal !== undefined) return { kind: 'refused', message: this.#refusal };
    if (this.#protocolError !== undefined) return { kind: 'protocol', error: this.#protocolError };
    return undefined;
  }

  /** The connection's own error, if it had one. */
  get connectionError(): Error | undefined {
    return this.#connectionError;
  }

  /** Why every call's signal aborts, once the connection has closed. */
  get closedWith(): { reason: unknown } | undefined {
    return this.#closedWith;
  }

  /**
   * The watchdog's tick: closes the connection when a message has been
   * arriving for longer than `messageTimeout`, or nothing has for
   * `idleTimeout` (see {@link Inbound.checkTimeouts}).
   */
  checkTimeouts(now: number): void {
    if (!this.reading) return;
    const { messageTimeout, idleTimeout } = this.#options.limits;
    const working = this.#outgoing?.waiting ?? false;
    const stall = this.#inbound.checkTimeouts(now, messageTimeout, idleTimeout, working);
    if (stall === 'message') {
      this.#messageTimedOut(messageTimeout);
    } else if (stall === 'idle') {
      const address = this.#options.address;
      this.close(
        `the connection to ${address} was idle for ${idleTimeout} ms (limits.idleTimeout)`,
      );
    }
  }

  // The DispatchTarget and InboundSink side: what dispatch and the inbound side call.

  /** A fresh context for one incoming call. */
  context(request: JSONRPCRequest): CallContext {
    const context = new CallContext(this, request.id);
    this.calls.add(context);
    return context;
  }

  cancel(id: JSONRPCID): void {
    this.calls.cancel(id);
  }

  message(message: unknown): void {
    dispatch(message, this);
  }

  lateMessage(message: unknown): void {
    dispatchLate(message, this);
  }

  /** Answers a framing error; a fatal one stops input. */
  framingError(error: FramingError): void {
    this.respond(framingErrorReply(error));
    if (error.fatal) {
      this.#protocolError ??= error;
      this.#stopReading(
        `the peer at ${this.#options.address} sent unreadable input (${error.message})`,
      );
    }
  }

  response(response: JSONRPCResponse): void {
    if (response.id === null && response.error) {
      // A single error without an id: the peer could not read something
      // this side sent, or (a server) refuses the connection. Otherwise it
      // answers the request or batch the peer could not read, if that can
      // be told; if not, no caller can be told, so it is reported (at most
      // once a second, with a count of the rest), and named if the peer
      // then closes.
      const { code, message, data } = response.error;
      if (code === RpcErrorCode.ConnectionRefused && this.#rules.takesRefusal) {
        this.#refused(message);
        return;
      }
      const error = new RpcError(code, message, data);
      this.#peerReported = error;
      if (this.#outgoing?.failLatest(error)) return;
      const address = this.#options.address;
      this.#peerReports ??= new ReportThrottle(
        this.#options.onError,
        (held) =>
          new Error(
            `the peer reported ${held} more errors without an id in the last second (on ${address})`,
          ),
      );
      this.#peerReports.report(() => new RpcError(code, `the peer reported: ${message}`, data));
      return;
    }
    this.#outgoing?.answer(response);
  }

  track(weight: number, reply: PromiseLike<Reply>): void {
    this.#inbound.begin(weight);
    reply.then(
      (response) => this.#settled(weight, response),
      (error: unknown) => {
        this.#options.onError(error);
        this.#settled(weight, null);
      },
    );
  }

  respond(response: JSONRPCResponse | JSONRPCResponse[]): void {
    if (this.ending) return;
    const codec = this.#options.codec;
    let frame: string;
    try {
      frame = frameResponse(codec, response);
    } catch (error) {
      this.#options.onError(error);
      frame = codec.encode(
        Array.isArray(response) ? response.map(serializable) : serializable(response),
      );
    }
    this.#writer.send(frame);
  }

  /**
   * Ends the connection once input is done and nothing is in flight. A
   * server then reads and drops whatever the peer still sends, until
   * the peer ends its side too or {@link LINGER_MS} pass: closing at once,
   * with the peer still writing, would fail its writes and could make it drop
   * our last answers unread. A client closes once its side is flushed. Either
   * closes at once when there is nothing to wait for (see
   * {@link flushedPlainSocket}): a client, or a server whose peer has ended
   * already (the common close: the client ends, its answers are out), which
   * saves a shutdown request and a linger timer per connection.
   * A connection that cannot half-close (a named pipe) never lingers: there
   * `end()` tells the peer nothing, so the peer would wait for an EOF that
   * only closing sends, and the answers already written stay readable.
   */
  pumped(): void {
    if (this.phase !== Phase.InputDone || this.#inbound.inFlight > 0) return;
    this.advance(Phase.Ended);
    this.#writer.flush();
    const connection = this.connection;
    if ((!this.#rules.lingers || connection.readableEnded) && flushedPlainSocket(connection)) {
      connection.destroy();
      return;
    }
    connection.end();
    if (!this.#rules.lingers || connection.halfClose === false) {
      connection.once('finish', () => connection.destroy());
      return;
    }
    this.#inbound.updateFlow();
    const linger = setTimeout(() => connection.destroy(), LINGER_MS);
    connection.once('close', () => clearTimeout(linger));
  }

  /** Answers and closes a peer that began a message and did not finish it in time. */
  #messageTimedOut(timeout: number): void {
    const why = `a message was begun but not completed within ${timeout} ms (limits.messageTimeout)`;
    this.respond(
      createJSONRPCErrorResponse(null, RpcErrorCode.InvalidRequest, `Invalid Request: ${why}`),
    );
    const address = this.#options.address;
    const report = this.#options.onStalled ?? ((make) => this.#options.onError(make()));
    report(() => new Error(`closed a connection on ${address}: ${why}`));
    this.close(`the peer at ${address} stalled: ${why}`);
  }

  #requests(): OutgoingRequests {
    this.#outgoing ??= new OutgoingRequests(
      this.#options.address,
      this.#options.requestTimeout,
      this.cancelMethod === false ? undefined : (id) => this.#sendCancel(id),
    );
    return this.#outgoing;
  }

  /**
   * Writes an outgoing request or batch; or, when it must not be sent (the
   * connection can no longer answer, the caller's signal has aborted, it
   * cannot be serialized), returns the rejection to give the caller instead.
   */
  #send(
    payload: JSONRPCRequest | JSONRPCRequest[],
    label: RequestLabel,
    options: RequestOptions | undefined,
  ): Promise<never> | undefined {
    const address = this.#options.address;
    if (this.#refusal !== undefined) {
      return Promise.reject(
        new TransportError('EACCES', `${this.#refusal}; ${describeRequest(label)} was not sent`, {
          address,
        }),
      );
    }
    if (this.#unanswerable !== undefined) {
      return Promise.reject(
        new TransportError(
          'ECONNRESET',
          `${this.#unanswerable}; ${describeRequest(label)} was not sent`,
          { address },
        ),
      );
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortError(label, address, signal.reason));
    try {
      this.#writer.sendUnsolicited(frameRequest(this.#options.codec, payload));
    } catch (error) {
      return Promise.reject(error);
    }
    return undefined;
  }

  /** Tells the peer this side no longer wants the answer to its request `id`. */
  #sendCancel(id: JSONRPCID): void {
    if (this.cancelMethod !== false) this.notify(this.cancelMethod, { id });
  }

  // The connection's events, from the shared listeners (see ENDPOINT).

  /** Takes a chunk the peer sent. */
  peerData(chunk: Buffer): void {
    this.#inbound.push(chunk);
  }

  /** The peer ended its side. */
  peerEnded(): void {
    this.#failPending(`the peer at ${this.#options.address} ended the connection`);
    this.#inbound.end();
  }

  /** The connection failed with `error` (it closes next). */
  connectionFailed(error: Error): void {
    this.#connectionError = error;
  }

  /** The connection has closed. */
  connectionClosed(): void {
    this.advance(Phase.Closed);
    this.#failPending(`the connection to ${this.#options.address} closed`);
    const reason = this.#connectionError;
    this.#closedWith = { reason };
    this.calls.abortAll(reason);
    this.#abort?.abort(reason);
    this.#options.watchdog?.delete(this);
    this.#resolveClosed?.();
    this.#options.onClosed?.(this);
  }

  // The WriterHost side: what the writer calls.

  /** The writer's backlog has drained: take input again. */
  drained(): void {
    this.#inbound.pump();
  }

  #settled(weight: number, response: Reply): void {
    if (response !== null) this.respond(response);
    this.#inbound.finish(weight);
  }

  /** Takes no more messages from the peer; this side's own requests can no longer be answered. */
  #stopReading(reason: string, listenForCancels = false): void {
    this.#failPending(reason);
    this.#inbound.stop(listenForCancels);
  }

  /** The server refused this connection: every request, pending or later, rejects with `EACCES`. */
  #refused(message: string): void {
    this.#refusal = message;
    const address = this.#options.address;
    this.#outgoing?.failEach(() => new TransportError('EACCES', message, { address }));
  }

  #failPending(reason: string): void {
    const reported = this.#peerReported;
    const why = reported ? `${reason} (after reporting: ${reported.message})` : reason;
    this.#unanswerable ??= why;
    this.#outgoing?.failAll(why, this.#connectionError ?? reported);
  }

  /** The peer lets more than `maxBufferedBytes` of output it did not ask for wait: dropped. */
  overflowed(): void {
    this.#options.onError(
      new Error(
        `dropped a peer on ${this.#options.address} that does not read: ${this.connection.writableLength} bytes were waiting (limits.maxBufferedBytes)`,
      ),
    );
    this.destroy();
  }
}
