import type { Connection, PeerInfo } from '@localwire/transport';
import { createJSONRPCErrorResponse, type JSONRPCID } from 'json-rpc-2.0';
import type { RequestOptions, RpcContext } from './context.js';
import { RpcError, RpcErrorCode } from './errors.js';
import type { RpcLimits } from './limits.js';
import type { Answer } from './methods.js';
import type { RpcParams } from './protocol.js';

/** The side of a connection a {@link CallContext} belongs to: what every call on it shares. */
export interface CallHost {
  readonly connection: Connection;
  readonly peer: PeerInfo | undefined;
  readonly limits: Readonly<Required<RpcLimits>>;
  /** The calls running now; a context leaves it as it is answered. */
  readonly calls: CallsInFlight;
  /** Why every call's signal aborts, once the connection has closed: `{ reason }`. */
  readonly closedWith: { reason: unknown } | undefined;
  notify(method: string, params?: RpcParams): void;
  request<T = unknown>(method: string, params?: RpcParams, options?: RequestOptions): Promise<T>;
}

/** {@link CallContext}'s abort reason while it has none (`undefined` is a reason too). */
const RUNNING: unique symbol = Symbol('running');

/**
 * The context of one incoming call, as its handler gets it. Made per call,
 * so it stays a few fields: everything shared is read through to the
 * connection's {@link CallHost}, and the `AbortController` behind
 * {@link CallContext.signal} is made only when a handler reads it.
 */
export class CallContext implements RpcContext {
  readonly id: JSONRPCID | undefined;
  readonly #host: CallHost;
  #controller: AbortController | undefined;
  /** Why the call was aborted; {@link RUNNING} while it was not. */
  #reason: unknown = RUNNING;
  /** Its neighbours in the host's {@link CallsInFlight} list, while it is in it. */
  prev: CallContext | undefined;
  next: CallContext | undefined;

  constructor(host: CallHost, id: JSONRPCID | undefined) {
    this.#host = host;
    this.id = id;
  }

  get connection(): Connection {
    return this.#host.connection;
  }

  get peer(): PeerInfo | undefined {
    return this.#host.peer;
  }

  get limits(): Readonly<Required<RpcLimits>> {
    return this.#host.limits;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      const closed = this.#host.closedWith;
      if (this.#reason === RUNNING && closed !== undefined) this.#reason = closed.reason;
      if (this.#reason !== RUNNING) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  notify(method: string, params?: RpcParams): void {
    this.#host.notify(method, params);
  }

  request<T = unknown>(method: string, params?: RpcParams, options?: RequestOptions): Promise<T> {
    return this.#host.request<T>(method, params, options);
  }

  /** True once the call has been aborted (whether or not its handler read its signal). */
  get aborted(): boolean {
    return this.#reason !== RUNNING;
  }

  /** Aborts the call's signal with `reason`; the first reason wins. */
  abort(reason: unknown): void {
    if (this.#reason !== RUNNING) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }

  /**
   * What to send for the call once its handler has ended with `answer`:
   * `answer`, or `-32800 Request cancelled` if the call was aborted first.
   */
  answered(answer: Answer): Answer {
    this.#host.calls.delete(this);
    if (this.#reason === RUNNING || this.id === undefined) return answer;
    return createJSONRPCErrorResponse(this.id, RpcErrorCode.RequestCancelled, 'Request cancelled');
  }
}

/**
 * The calls of one connection whose handlers are running, so a cancel can
 * find its call by id and a close can abort them all. An intrusive list
 * (the links live on the contexts): adding and removing a call costs a few
 * field writes, no allocation, and a cancel, which is rare, walks it.
 */
export class CallsInFlight {
  #head: CallContext | undefined;

  /** Adds `call` (once, while its handler runs). */
  add(call: CallContext): void {
    call.next = this.#head;
    if (this.#head !== undefined) this.#head.prev = call;
    this.#head = call;
  }

  /** Removes `call`, if it is in the list. */
  delete(call: CallContext): void {
    const { prev, next } = call;
    if (prev !== undefined) prev.next = next;
    else if (this.#head === call) this.#head = next;
    else return;
    if (next !== undefined) next.prev = prev;
    call.prev = undefined;
    call.next = undefined;
  }

  /** Aborts the calls with this id (a peer's cancel); false if none is running. */
  cancel(id: JSONRPCID): boolean {
    let found = false;
    for (let call = this.#head; call !== undefined; call = call.next) {
      if (call.id !== id || call.aborted) continue;
      // Made here, for the calls cancelled only: an error's stack costs.
      call.abort(new RpcError(RpcErrorCode.RequestCancelled, 'Request cancelled'));
      found = true;
    }
    return found;
  }

  /** Aborts every call running with `reason`. */
  abortAll(reason: unknown): void {
    for (let call = this.#head; call !== undefined; call = call.next) call.abort(reason);
  }
}
