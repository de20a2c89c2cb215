import { TransportError } from '@localwire/transport';
import type { JSONRPCID, JSONRPCResponse } from 'json-rpc-2.0';
import type { RequestOptions } from './context.js';
import { RpcError } from './errors.js';

/**
 * What a waiter stands for, for error messages: a method name (one request)
 * or a count (a batch). Kept raw so the message is only built when needed.
 */
export type RequestLabel = string | number;

/** `the request "method"` or `a batch of n`, for error messages. */
export function describeRequest(label: RequestLabel): string {
  return typeof label === 'number' ? `a batch of ${label}` : `the request ${JSON.stringify(label)}`;
}

/**
 * One request, or one batch, this side sent and whose answer it awaits. The
 * timer and the abort listener exist only when the caller asked for them:
 * this is the per-call cost of a pipelined client, so it stays a few fields.
 */
class Waiter {
  /** Its place in the order things were sent. */
  readonly seq: number;
  readonly #owner: OutgoingRequests;
  readonly #ids: readonly JSONRPCID[] | JSONRPCID;
  readonly #label: RequestLabel;
  readonly #resolve: (value: never) => void;
  readonly #reject: (error: Error) => void;
  /** A batch's answers so far, in the order they came; undefined for one request. */
  readonly #answers: JSONRPCResponse[] | undefined;
  /**
   * For a batch whose ids run on by one from its first (every batch a client
   * sends), its first id: it is then found by range, with which of its ids
   * are answered kept here, rather than by a map entry per id. NaN otherwise.
   */
  readonly first: number;
  /** Per id of such a batch: 1 once answered (so a duplicate is not counted). */
  readonly #seen: Uint8Array | undefined;
  #unanswered: number;
  #timeout = 0;
  #timer: NodeJS.Timeout | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  constructor(
    owner: OutgoingRequests,
    seq: number,
    ids: readonly JSONRPCID[] | JSONRPCID,
    label: RequestLabel,
    resolve: (value: never) => void,
    reject: (error: Error) => void,
    first = Number.NaN,
  ) {
    this.seq = seq;
    this.#owner = owner;
    this.#ids = ids;
    this.#label = label;
    this.#resolve = resolve;
    this.#reject = reject;
    if (Array.isArray(ids)) {
      this.#answers = [];
      this.#unanswered = ids.length;
      this.first = first;
      this.#seen = Number.isNaN(first) ? undefined : new Uint8Array(ids.length);
    } else {
      this.#answers = undefined;
      this.#unanswered = 1;
      this.first = Number.NaN;
      this.#seen = undefined;
    }
  }

  /** The ids of a batch found by range (see {@link Waiter.first}); 0 for any other. */
  get runLength(): number {
    return this.#seen === undefined ? 0 : this.#seen.length;
  }

  /** True while `id` is one of this batch's ids found by range, not yet answered. */
  awaits(id: number): boolean {
    const k = id - this.first;
    return k >= 0 && k < this.runLength && this.#seen?.[k] === 0;
  }

  /** Fails the wait after `timeout` ms or when `signal` aborts. */
  bound(timeout: number | undefined, signal: AbortSignal | undefined): void {
    if (timeout !== undefined) {
      this.#timeout = timeout;
      this.#timer = setTimeout(() => this.#timedOut(), timeout);
    }
    if (signal !== undefined) {
      this.#signal = signal;
      this.#onAbort = () =>
        this.#owner.giveUp(
          this,
          this.#ids,
          abortError(this.#label, this.#owner.address, signal.reason),
        );
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** True until the first answer to any of its ids comes. */
  get unanswered(): boolean {
    return this.#answers === undefined || this.#answers.length === 0;
  }

  /** Takes the answer to one of its ids. */
  answer(response: JSONRPCResponse): void {
    const answers = this.#answers;
    if (answers === undefined) {
      this.#settle();
      const { error } = response;
      if (error) this.#reject(new RpcError(error.code, error.message, error.data));
      else this.#resolve(response.result as never);
      return;
    }
    // Forget each id as it is answered, so a duplicate answer is not counted.
    if (this.#seen !== undefined) this.#seen[(response.id as number) - this.first] = 1;
    else this.#owner.forget(response.id);
    answers.push(response);
    if (--this.#unanswered === 0) {
      this.#settle();
      this.#resolve(answers as never);
    }
  }

  /** Rejects the wait with `error`, whatever is still unanswered. */
  fail(error: Error): void {
    this.#settle();
    this.#reject(error);
  }

  #settle(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#owner.settled(this, this.#ids);
  }

  #timedOut(): void {
    this.#owner.giveUp(
      this,
      this.#ids,
      new TransportError(
        'ETIMEDOUT',
        `no answer to ${describeRequest(this.#label)} within ${this.#timeout} ms`,
        {
          address: this.#owner.address,
        },
      ),
    );
  }
}

/**
 * The first of `ids` when they run on by one from it (integers, in order,
 * none missing), else NaN.
 */
function runStart(ids: readonly JSONRPCID[]): number {
  const first = ids[0];
  if (typeof first !== 'number' || !Number.isSafeInteger(first + ids.length)) return Number.NaN;
  for (let k = 1; k < ids.length; k++) if (ids[k] !== first + k) return Number.NaN;
  return first;
}

/** The rejection of a request or batch whose signal aborted. */
export function abortError(label: RequestLabel, address: string, reason: unknown): TransportError {
  return new TransportError('ABORT_ERR', `${describeRequest(label)} was aborted`, {
    address,
    cause: reason,
  });
}

/**
 * The requests one side of a connection has sent and not yet had answered,
 * by id: matches each answer that comes back to its caller, times out and
 * aborts single waits, and fails them all when the connection can no longer
 * answer. (json-rpc-2.0's `JSONRPCClient` does the matching too, but at a
 * generator, several promises and closures per call, which made a pipelining
 * client cost twice the server it calls.)
 */
export class OutgoingRequests {
  /** The address, for error messages. */
  readonly address: string;
  readonly #defaultTimeout: number | undefined;
  /** Tells the peer an id's answer is no longer wanted; undefined: the peer is not told. */
  readonly #onGiveUp: ((id: JSONRPCID) => void) | undefined;
  /** Waiters by id, in the order they were sent (a batch once per id, unless in {@link OutgoingRequests.#runs}). */
  readonly #waiting = new Map<JSONRPCID, Waiter>();
  /**
   * The batches whose ids run on by one (see {@link Waiter.first}), in the
   * order sent, which is the order of their ids: found by a binary search
   * on the first id, so that a batch costs no map entry per id.
   */
  readonly #runs: Waiter[] = [];
  /** Sequence number of the last request or batch sent. */
  #sent = 0;
  /** The latest-sent request or batch that has had an answer. */
  #answeredUpTo = 0;

  /**
   * `defaultTimeout` (ms) applies to each wait whose options set none;
   * `onGiveUp` is called with each id still unanswered when its wait times
   * out or is aborted (to send the peer a cancel).
   */
  constructor(
    address: string,
    defaultTimeout: number | undefined,
    onGiveUp?: (id: JSONRPCID) => void,
  ) {
    this.address = address;
    this.#defaultTimeout = defaultTimeout;
    this.#onGiveUp = onGiveUp;
  }

  /**
   * Waits for the answer to the request `id`: resolves with its result, or
   * rejects with an {@link RpcError} (the peer's error answer) or a
   * `TransportError` (`ETIMEDOUT`, `ABORT_ERR`, `ECONNRESET`).
   */
  request<T>(id: JSONRPCID, method: string, options: RequestOptions | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = new Waiter(
        this,
        ++this.#sent,
        id,
        method,
        resolve as (value: never) => void,
        reject,
      );
      this.#waiting.set(id, waiter);
      this.#bound(waiter, options);
    });
  }

  /**
   * Waits for the answers to the requests `ids` of one batch (of `size`
   * messages, notifications included): resolves with them, in the order they
   * came, once all have come; at once for a batch of notifications only.
   */
  batch(
    ids: readonly JSONRPCID[],
    size: number,
    options: RequestOptions | undefined,
  ): Promise<JSONRPCResponse[]> {
    if (ids.length === 0) return Promise.resolve([]);
    const runs = this.#runs;
    const last = runs[runs.length - 1];
    let first = runStart(ids);
    // Kept in the order of their ids, or not found by range.
    if (last !== undefined && !(first >= last.first + last.runLength)) first = Number.NaN;
    return new Promise((resolve, reject) => {
      const waiter = new Waiter(
        this,
        ++this.#sent,
        ids,
        size,
        resolve as (value: never) => void,
        reject,
        first,
      );
      if (waiter.runLength > 0) runs.push(waiter);
      else for (const id of ids) this.#waiting.set(id, waiter);
      this.#bound(waiter, options);
    });
  }

  /** True while a request or batch awaits its answer. */
  get waiting(): boolean {
    return this.#waiting.size > 0 || this.#runs.length > 0;
  }

  /** The waiter awaiting the answer to `id`, if any. */
  #awaiting(id: JSONRPCID): Waiter | undefined {
    const waiter = this.#waiting.get(id);
    if (waiter !== undefined || typeof id !== 'number') return waiter;
    // The last batch found by range that begins at or before `id`.
    const runs = this.#runs;
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runs[mid]!.first <= id) lo = mid + 1;
      else hi = mid;
    }
    const run = runs[lo - 1];
    return run?.awaits(id) ? run : undefined;
  }

  /**
   * Hands an answer to the request it answers. Returns false when no request
   * of this side has its id (it timed out or was aborted already, say).
   */
  answer(response: JSONRPCResponse): boolean {
    const waiter = this.#awaiting(response.id);
    if (waiter === undefined) return false;
    if (waiter.seq > this.#answeredUpTo) this.#answeredUpTo = waiter.seq;
    waiter.answer(response);
    return true;
  }

  /**
   * Rejects with `error`, an error answer without an id, the request or
   * batch it answers, as far as can be told: one the peer could not read (too
   * large, a batch over its size limit, bad JSON) and so, per the spec, could
   * not name. A peer reads in order and refuses what it cannot read as it
   * reads it, so everything sent before that one was read, and is answered or
   * still running: it is the latest one sent that has had no answer yet —
   * unless something sent after it has been answered (the peer read past it),
   * then nothing qualifies and false is returned. (What was sent after it
   * before the error came back makes this ambiguous; it picks the latest.)
   */
  failLatest(error: RpcError): boolean {
    let latest: Waiter | undefined;
    for (const waiter of this.#waiting.values()) {
      if (waiter.unanswered && (latest === undefined || waiter.seq > latest.seq)) latest = waiter;
    }
    for (const waiter of this.#runs) {
      if (waiter.unanswered && (latest === undefined || waiter.seq > latest.seq)) latest = waiter;
    }
    if (latest === undefined || latest.seq < this.#answeredUpTo) return false;
    latest.fail(error);
    return true;
  }

  /**
   * Rejects every waiting request with `ECONNRESET`: `reason` says why,
   * `cause` is the connection's error if it had one.
   */
  failAll(reason: string, cause: Error | undefined): void {
    this.failEach(
      () =>
        new TransportError('ECONNRESET', `${reason} before the answer came`, {
          address: this.address,
          cause,
        }),
    );
  }

  /** Rejects every waiting request with the error `make()` gives for it. */
  failEach(make: () => Error): void {
    if (!this.waiting) return;
    const all = new Set(this.#waiting.values());
    for (const waiter of this.#runs) all.add(waiter);
    // In the order sent, as when every waiter was in the map.
    for (const waiter of [...all].sort((a, b) => a.seq - b.seq)) waiter.fail(make());
  }

  #bound(waiter: Waiter, options: RequestOptions | undefined): void {
    const timeout = options?.timeout ?? this.#defaultTimeout;
    const signal = options?.signal;
    if (timeout !== undefined || signal !== undefined) waiter.bound(timeout, signal);
  }

  /**
   * Fails `waiter` with `error` as this side gives up on it (a timeout, an
   * abort), then tells the peer of each of its ids still unanswered.
   */
  giveUp(
    waiter: { fail(error: Error): void },
    ids: readonly JSONRPCID[] | JSONRPCID,
    error: Error,
  ): void {
    const onGiveUp = this.#onGiveUp;
    if (onGiveUp === undefined) {
      waiter.fail(error);
      return;
    }
    const unanswered = Array.isArray(ids)
      ? ids.filter((id) => this.#awaiting(id) === waiter)
      : [ids as JSONRPCID];
    waiter.fail(error);
    for (const id of unanswered) onGiveUp(id);
  }

  /** Stops matching answers to `waiter`, whose ids are `ids` (it calls this as it settles). */
  settled(waiter: Waiter, ids: readonly JSONRPCID[] | JSONRPCID): void {
    if (waiter.runLength === 0) {
      this.forget(ids);
      return;
    }
    const k = this.#runs.indexOf(waiter);
    if (k !== -1) this.#runs.splice(k, 1);
  }

  /** Stops matching answers to `ids` (see {@link OutgoingRequests.settled}, and a batch's per answer). */
  forget(ids: readonly JSONRPCID[] | JSONRPCID): void {
    if (Array.isArray(ids)) for (const id of ids) this.#waiting.delete(id);
    else this.#waiting.delete(ids as JSONRPCID);
  }
}
