import { type Connection, type PeerInfo, TransportError } from '@localwire/transport';
import type { Codec, Decoder, FramingError } from '@localwire/transport/framing';
import {
  createJSONRPCErrorResponse,
  createJSONRPCNotification,
  type JSONRPCRequest,
  type JSONRPCResponse,
} from 'json-rpc-2.0';
import type { RequestOptions, RpcContext } from './context.js';
import { RpcError, RpcErrorCode } from './errors.js';
import type { RpcLimits } from './limits.js';
import { type Answer, isThenable, type MethodTable } from './methods.js';
import { abortError, describeRequest, OutgoingRequests, type RequestLabel } from './outgoing.js';
import { invalidRequest, isRequest, isResponse, type RpcParams } from './protocol.js';
import { ReportThrottle } from './throttle.js';
import type { Watchdog, Watched } from './watchdog.js';
import { FrameWriter } from './writer.js';

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
   * Which side this is. A `'server'` endpoint's output answers its peer's
   * input, so it holds the peer to it: it stops reading while its write
   * buffer is full, drops a peer that lets more than `maxBufferedBytes` wait,
   * and after ending waits for the peer to end too (see
   * {@link Endpoint.close}), so a client still writing gets its answers.
   * A `'client'` endpoint's output is its own requests: it keeps reading
   * answers while they wait (stopping would leave client and server each
   * waiting for the other), never drops the server for them, and closes as
   * soon as its side is flushed.
   */
  role: 'server' | 'client';
}

/** How long an ended connection waits for the peer to end its side before it is closed. */
const LINGER_MS = 2000;

/** The entries of a batch that ask something of this side: all but answers. */
function countAsked(batch: readonly unknown[]): number {
  let asked = 0;
  for (const entry of batch) if (!isResponse(entry)) asked++;
  return asked;
}

/** The answer to send for a framing error, per the spec. */
function framingErrorResponse(error: FramingError): JSONRPCResponse {
  if (error.code === 'MESSAGE_TOO_LARGE') {
    return createJSONRPCErrorResponse(null, RpcErrorCode.InvalidRequest, error.message);
  }
  if (error.code === 'MESSAGE_TOO_DEEP') {
    return createJSONRPCErrorResponse(
      null,
      RpcErrorCode.InvalidRequest,
      `Invalid Request: ${error.message}`,
    );
  }
  const message = error.code === 'PARSE_ERROR' ? 'Parse error' : `Parse error: ${error.message}`;
  return createJSONRPCErrorResponse(null, RpcErrorCode.ParseError, message);
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
 * One side of one connection, for servers and clients alike: decodes what the
 * peer sends, runs its requests through a {@link MethodTable}, writes the
 * answers, and sends this side's own requests, matching the peer's answers
 * to them by id ({@link OutgoingRequests}).
 *
 * Flow control: at most `maxInFlight` of the peer's requests run at once;
 * at the cap, or (a server) while the connection's write buffer is full,
 * the endpoint stops pulling messages from its decoder and pauses
 * the connection, so a peer that floods or never reads is held back, not
 * buffered.
 *
 * Shutdown: once input stops (the peer ended, a fatal framing error, or
 * {@link Endpoint.close}), requests already dispatched are finished, their
 * answers written, and the connection ended (then closed once the peer ends
 * too, or at once where the connection cannot half-close). Connections are
 * half-open, as the transport contract says, so a peer that ends its side
 * first still gets every answer; over a named pipe a peer cannot end its side
 * without closing, so its requests are answered while it keeps it open.
 */
export class Endpoint implements RpcContext, Watched {
  readonly connection: Connection;
  readonly peer: PeerInfo | undefined;
  /** Made when a handler first asks for {@link Endpoint.signal}: most never do. */
  #abort: AbortController | undefined;
  /** Made on the first request this side sends: most server connections never send one. */
  #outgoing: OutgoingRequests | undefined;
  readonly #decoder: Decoder;
  readonly #writer: FrameWriter;
  readonly #codec: Codec;
  readonly #options: EndpointOptions;
  /** Resolves once the connection has closed. */
  readonly closed: Promise<void>;
  #nextId = 0;
  #inFlight = 0;
  #paused = false;
  /** Still taking messages from the peer. */
  #reading = true;
  /** The peer has ended its side: what the decoder holds is all there is. */
  #peerEnded = false;
  /** No more messages will come: input stopped, or the peer ended and the decoder is drained. */
  #inputDone = false;
  #ending = false;
  /** Why outgoing requests can no longer be answered, once they cannot. */
  #unanswerable: string | undefined;
  #connectionError: Error | undefined;
  /** The last error the peer sent without an id, if no request took it. */
  #peerReported: RpcError | undefined;
  /** Rate-limits the reports of errors the peer sends without an id; made on the first. */
  #peerReports: ReportThrottle | undefined;
  /** Set once the server said it refuses this connection: what every request rejects with. */
  #refusal: string | undefined;
  #closed = false;
  // For the watchdog: counters bumped on the hot path, compared on each tick.
  /** Chunks received. */
  #chunks = 0;
  /** Messages decoded. */
  #messages = 0;
  #seenChunks = -1;
  #seenMessages = -1;
  /** When a tick first saw the current unfinished message (0: none). */
  #pendingSince = 0;
  /** When a tick last saw input or work. */
  #activeAt = 0;

  constructor(connection: Connection, options: EndpointOptions) {
    this.connection = connection;
    this.peer = connection.peer;
    this.#options = options;
    this.#codec = options.codec;
    this.#decoder = options.codec.createDecoder(options.limits);
    this.#writer = new FrameWriter(
      connection,
      options.role === 'server' ? options.limits.maxBufferedBytes : Number.POSITIVE_INFINITY,
      () => this.#pump(),
      () => this.#overflow(),
    );
    this.closed = new Promise((resolve) => connection.once('close', resolve));
    const watchdog = options.watchdog;
    if (watchdog !== undefined) {
      watchdog.add(this);
      this.closed.then(() => watchdog.delete(this));
    }
    connection.on('data', this.#onData);
    connection.on('end', this.#onEnd);
    connection.on('error', this.#onConnectionError);
    connection.on('close', this.#onClose);
    connection.resume();
  }

  /** The limits this connection runs under. */
  get limits(): Readonly<Required<RpcLimits>> {
    return this.#options.limits;
  }

  /** Aborts when the connection closes. */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#closed) this.#abort.abort(this.#connectionError);
    }
    return this.#abort.signal;
  }

  notify(method: string, params?: RpcParams): void {
    const frame = this.#codec.encode(createJSONRPCNotification(method, params));
    if (!this.#ending) this.#writer.sendUnsolicited(frame);
  }

  request<T = unknown>(method: string, params?: RpcParams, options?: RequestOptions): Promise<T> {
    const id = ++this.#nextId;
    const refused = this.#send({ jsonrpc: '2.0', method, params, id }, method, options);
    return refused ?? this.#requests().request<T>(id, method, options);
  }

  /**
   * Sends `requests` as one batch; resolves with the answers to those that
   * have ids (notifications get none), in the order they came.
   */
  batch(requests: JSONRPCRequest[], options?: RequestOptions): Promise<JSONRPCResponse[]> {
    const ids = requests.flatMap((r) => (r.id === undefined ? [] : [r.id]));
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
    this.#stopReading(reason);
    this.#finishIfDone();
    return this.closed;
  }

  /**
   * True while the peer is still owed answers: requests in flight, or
   * answers written but not yet taken by the peer. An endpoint that has
   * ended its side and only waits for the peer to end too is not busy.
   */
  get busy(): boolean {
    return !this.connection.destroyed && (!this.#ending || this.connection.writableLength > 0);
  }

  /** Closes the connection now, answered or not. */
  destroy(): void {
    this.connection.destroy();
  }

  /**
   * The watchdog's tick: closes the connection when a message has been
   * arriving for longer than `messageTimeout`, or nothing has for
   * `idleTimeout` (no byte received, no request in flight either way).
   * Only the counters bumped per chunk and per message are compared with
   * the previous tick's, so a connection pays nothing per message for it.
   * While this side holds the peer back (paused), the peer is not to blame,
   * and nothing is timed.
   */
  checkTimeouts(now: number): void {
    if (!this.#reading || this.#ending) return;
    if (this.#paused) {
      this.#pendingSince = 0;
      this.#activeAt = now;
      return;
    }
    const { messageTimeout, idleTimeout } = this.#options.limits;
    if (!this.#decoder.pending) {
      this.#pendingSince = 0;
    } else if (this.#pendingSince === 0 || this.#messages !== this.#seenMessages) {
      this.#pendingSince = now;
      this.#seenMessages = this.#messages;
    } else if (now - this.#pendingSince >= messageTimeout) {
      this.#messageTimedOut(messageTimeout);
      return;
    }
    const working = this.#inFlight > 0 || (this.#outgoing?.waiting ?? false);
    if (this.#chunks !== this.#seenChunks || working) {
      this.#seenChunks = this.#chunks;
      this.#activeAt = now;
    } else if (now - this.#activeAt >= idleTimeout) {
      const address = this.#options.address;
      this.close(
        `the connection to ${address} was idle for ${idleTimeout} ms (limits.idleTimeout)`,
      );
    }
  }

  /** Answers and closes a peer that began a message and did not finish it in time. */
  #messageTimedOut(timeout: number): void {
    const why = `a message was begun but not completed within ${timeout} ms (limits.messageTimeout)`;
    this.#respond(
      createJSONRPCErrorResponse(null, RpcErrorCode.InvalidRequest, `Invalid Request: ${why}`),
    );
    const address = this.#options.address;
    const report = this.#options.onStalled ?? ((make) => this.#options.onError(make()));
    report(() => new Error(`closed a connection on ${address}: ${why}`));
    this.close(`the peer at ${address} stalled: ${why}`);
  }

  #requests(): OutgoingRequests {
    this.#outgoing ??= new OutgoingRequests(this.#options.address, this.#options.requestTimeout);
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
      this.#writer.sendUnsolicited(this.#codec.encode(payload));
    } catch (error) {
      return Promise.reject(error);
    }
    return undefined;
  }

  readonly #onData = (chunk: Buffer) => {
    // Once input has stopped, what still arrives is dropped (see #finishIfDone).
    if (!this.#reading) return;
    this.#chunks++;
    this.#decoder.push(chunk);
    this.#pump();
  };

  readonly #onEnd = () => {
    this.#peerEnded = true;
    this.#failPending(`the peer at ${this.#options.address} ended the connection`);
    this.#decoder.end();
    this.#pump();
  };

  readonly #onConnectionError = (error: Error) => {
    this.#connectionError = error;
  };

  readonly #onClose = () => {
    this.#reading = false;
    this.#inputDone = true;
    this.#ending = true;
    this.#closed = true;
    this.#failPending(`the connection to ${this.#options.address} closed`);
    this.#abort?.abort(this.#connectionError);
  };

  /** Dispatches decoded messages while the flow-control rules allow. */
  #pump(): void {
    const decoder = this.#decoder;
    const maxInFlight = this.#options.limits.maxInFlight;
    while (this.#reading && this.#inFlight < maxInFlight && !this.#outputBlocked) {
      const item = decoder.next();
      if (item === undefined) {
        if (this.#peerEnded) this.#inputDone = true;
        break;
      }
      this.#messages++;
      if (item.ok) this.#receive(item.message);
      else this.#refuse(item.error);
    }
    this.#updateFlow();
    this.#finishIfDone();
  }

  /** True while output waits for the peer and that is to hold input back. */
  get #outputBlocked(): boolean {
    return this.#options.role === 'server' && this.#writer.blocked;
  }

  #updateFlow(): void {
    const stop =
      !this.#ending &&
      (!this.#reading || this.#inFlight >= this.#options.limits.maxInFlight || this.#outputBlocked);
    if (stop && !this.#paused) {
      this.#paused = true;
      this.connection.pause();
    } else if (!stop && this.#paused) {
      this.#paused = false;
      this.connection.resume();
    }
  }

  #receive(message: unknown): void {
    if (Array.isArray(message)) {
      this.#batchReceived(message);
    } else if (isRequest(message)) {
      const answer = this.#options.methods.call(message, this);
      if (isThenable(answer)) this.#track(1, answer);
      else if (answer !== null) this.#respond(answer);
    } else if (isResponse(message)) {
      this.#responseReceived(message);
    } else {
      this.#respond(invalidRequest(message));
    }
  }

  /** A batch: each entry checked on its own; answers sent as one array, in order. */
  #batchReceived(batch: unknown[]): void {
    if (batch.length === 0) {
      this.#respond(invalidRequest(batch));
      return;
    }
    // The limit is on work asked of this side: a batch of answers to this
    // side's own batch is taken whatever its size.
    const max = this.#options.limits.maxBatchSize;
    if (batch.length > max && countAsked(batch) > max) {
      this.#respond(
        createJSONRPCErrorResponse(
          null,
          RpcErrorCode.InvalidRequest,
          `Invalid Request: a batch of ${batch.length} exceeds the limit of ${max}`,
        ),
      );
      return;
    }
    let pending = 0;
    const answers = batch.map((entry): Answer | PromiseLike<Answer> => {
      if (isRequest(entry)) {
        const answer = this.#options.methods.call(entry, this);
        if (isThenable(answer)) pending++;
        return answer;
      }
      if (isResponse(entry)) {
        this.#responseReceived(entry);
        return null;
      }
      return invalidRequest(entry);
    });
    if (pending === 0) {
      this.#respondBatch(answers as Answer[]);
    } else {
      this.#track(pending, Promise.all(answers).then(this.#batchAnswered));
    }
  }

  readonly #batchAnswered = (answers: Answer[]) => {
    this.#respondBatch(answers);
    return null;
  };

  #respondBatch(answers: Answer[]): void {
    const list = answers.filter((answer): answer is JSONRPCResponse => answer !== null);
    if (list.length > 0) this.#respond(list);
  }

  #responseReceived(response: JSONRPCResponse): void {
    if (response.id === null && response.error) {
      // A single error without an id: the peer could not read something
      // this side sent, or (a server) refuses the connection. Otherwise it
      // answers the request or batch the peer could not read, if that can
      // be told; if not, no caller can be told, so it is reported (at most
      // once a second, with a count of the rest), and named if the peer
      // then closes.
      const { code, message, data } = response.error;
      if (code === RpcErrorCode.ConnectionRefused && this.#options.role === 'client') {
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

  /** Counts `weight` requests in flight until `answer` settles, then sends it. */
  #track(weight: number, answer: PromiseLike<Answer>): void {
    this.#inFlight += weight;
    answer.then(
      (response) => this.#settled(weight, response),
      (error: unknown) => {
        this.#options.onError(error);
        this.#settled(weight, null);
      },
    );
  }

  #settled(weight: number, response: Answer): void {
    this.#inFlight -= weight;
    if (response !== null) this.#respond(response);
    if (this.#paused || !this.#reading || this.#inputDone) this.#pump();
  }

  #respond(response: JSONRPCResponse | JSONRPCResponse[]): void {
    if (this.#ending) return;
    let frame: string;
    try {
      frame = this.#codec.encode(response);
    } catch (error) {
      this.#options.onError(error);
      frame = this.#codec.encode(
        Array.isArray(response) ? response.map(serializable) : serializable(response),
      );
    }
    this.#writer.send(frame);
  }

  /** Answers a framing error; a fatal one stops input. */
  #refuse(error: FramingError): void {
    this.#respond(framingErrorResponse(error));
    if (error.fatal) {
      this.#stopReading(
        `the peer at ${this.#options.address} sent unreadable input (${error.message})`,
      );
    }
  }

  /** Takes no more messages from the peer; this side's own requests can no longer be answered. */
  #stopReading(reason: string): void {
    this.#failPending(reason);
    if (!this.#reading) return;
    this.#reading = false;
    this.#inputDone = true;
    this.#updateFlow();
  }

  /**
   * Ends the connection once input is done and nothing is in flight. A
   * server then reads and drops whatever the peer still sends, until
   * the peer ends its side too or {@link LINGER_MS} pass: closing at once,
   * with the peer still writing, would fail its writes and could make it drop
   * our last answers unread. A client closes once its side is flushed.
   * A connection that cannot half-close (a named pipe) never lingers: there
   * `end()` tells the peer nothing, so the peer would wait for an EOF that
   * only closing sends, and the answers already written stay readable.
   */
  #finishIfDone(): void {
    if (!this.#inputDone || this.#inFlight > 0 || this.#ending) return;
    this.#ending = true;
    this.#writer.flush();
    const connection = this.connection;
    connection.end();
    if (this.#options.role === 'client' || connection.halfClose === false) {
      connection.once('finish', () => connection.destroy());
      return;
    }
    this.#updateFlow();
    const linger = setTimeout(() => connection.destroy(), LINGER_MS);
    connection.once('close', () => clearTimeout(linger));
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

  #overflow(): void {
    this.#options.onError(
      new Error(
        `dropped a peer on ${this.#options.address} that does not read: ${this.connection.writableLength} bytes were waiting (limits.maxBufferedBytes)`,
      ),
    );
    this.destroy();
  }
}
