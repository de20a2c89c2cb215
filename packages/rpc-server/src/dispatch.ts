import type { PeerInfo } from '@localwire/transport';
import type { FramingError } from '@localwire/transport/framing';
import {
  createJSONRPCErrorResponse,
  type JSONRPCID,
  type JSONRPCRequest,
  type JSONRPCResponse,
} from 'json-rpc-2.0';
import type { CallContext } from './call-context.js';
import { RpcErrorCode } from './errors.js';
import { type Answer, isThenable, type MethodTable } from './methods.js';
import { invalidRequest, isRequest, isResponse, malformedAnswer } from './protocol.js';
import { callTraced } from './tracing.js';

/**
 * Dispatch: what each message the peer sends asks for, and the answer it
 * gets. Plain functions over a {@link DispatchTarget}, so they run (and are
 * tested) without a connection.
 */

/** What is sent back for one message: one response, a batch's responses, or nothing. */
export type Reply = JSONRPCResponse | JSONRPCResponse[] | null;

/** What dispatch works with: the methods, and where the answers go. */
export interface DispatchTarget {
  /** Serves the requests and notifications. */
  readonly methods: MethodTable;
  /** The peer's credentials, as the transport reports them (for the traces). */
  readonly peer: PeerInfo | undefined;
  /** The most entries a batch asking something of this side may have. */
  readonly maxBatchSize: number;
  /** A fresh context for the call of `request`, counted as running until it has answered. */
  context(request: JSONRPCRequest): CallContext;
  /**
   * The notification by which the peer cancels a request of its own
   * (`params: { id }`), or `false` when cancels are not handled.
   */
  readonly cancelMethod: string | false;
  /** Aborts the running call with this id; nothing if none runs. */
  cancel(id: JSONRPCID): void;
  /** Takes an answer the peer sent to one of this side's own requests. */
  response(response: JSONRPCResponse): void;
  /** Sends a reply now. */
  respond(reply: JSONRPCResponse | JSONRPCResponse[]): void;
  /** Counts `weight` requests in flight until `reply` settles, then sends it (unless `null`). */
  track(weight: number, reply: PromiseLike<Reply>): void;
}

/** The entries of a batch that ask something of this side: all but answers. */
function countAsked(batch: readonly unknown[]): number {
  let asked = 0;
  for (const entry of batch) if (!isResponse(entry)) asked++;
  return asked;
}

/** A batch's reply from its entries' answers: the responses, in order; none if all were notifications. */
function batchReply(answers: readonly Answer[]): Reply {
  const list = answers.filter((answer): answer is JSONRPCResponse => answer !== null);
  return list.length > 0 ? list : null;
}

/** The id a cancel's params name (`{ id }`, LSP's shape), if they name one. */
function cancelledId(params: unknown): JSONRPCID | undefined {
  const id = (params as { id?: unknown } | undefined)?.id;
  return typeof id === 'number' || typeof id === 'string' ? id : undefined;
}

/**
 * Runs one request or notification; a cancel (see
 * {@link DispatchTarget.cancelMethod}) is taken here and answers nothing, for
 * a running id or not.
 */
function call(request: JSONRPCRequest, target: DispatchTarget): Answer | PromiseLike<Answer> {
  if (request.id === undefined && request.method === target.cancelMethod) {
    const id = cancelledId(request.params);
    if (id !== undefined) target.cancel(id);
    return null;
  }
  return callTraced(target.methods, request, target);
}

/** The answer to send for a framing error, per the spec. */
export function framingErrorReply(error: FramingError): JSONRPCResponse {
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

/**
 * Takes from a message that comes once input has stopped (the endpoint is
 * closing, its calls still running) only what still matters: cancels.
 */
export function dispatchLate(message: unknown, target: DispatchTarget): void {
  const entries = Array.isArray(message) ? message : [message];
  for (const entry of entries) {
    if (isRequest(entry) && entry.id === undefined && entry.method === target.cancelMethod) {
      const id = cancelledId(entry.params);
      if (id !== undefined) target.cancel(id);
    }
  }
}

/** Fails the request of this side a malformed answer names (see {@link malformedAnswer}). */
function failMalformed(message: unknown, target: DispatchTarget): void {
  const failure = malformedAnswer(message);
  if (failure !== undefined) target.response(failure);
}

/** Handles one decoded message: a request, a notification, an answer, or a batch of them. */
export function dispatch(message: unknown, target: DispatchTarget): void {
  if (Array.isArray(message)) {
    dispatchBatch(message, target);
  } else if (isRequest(message)) {
    const answer = call(message, target);
    if (isThenable(answer)) target.track(1, answer);
    else if (answer !== null) target.respond(answer);
  } else if (isResponse(message)) {
    target.response(message);
  } else {
    failMalformed(message, target);
    target.respond(invalidRequest(message));
  }
}

/** A batch: each entry checked on its own; answers sent as one array, in order. */
function dispatchBatch(batch: unknown[], target: DispatchTarget): void {
  if (batch.length === 0) {
    target.respond(invalidRequest(batch));
    return;
  }
  // The limit is on work asked of this side: a batch of answers to this
  // side's own batch is taken whatever its size.
  const max = target.maxBatchSize;
  if (batch.length > max && countAsked(batch) > max) {
    target.respond(
      createJSONRPCErrorResponse(
        null,
        RpcErrorCode.InvalidRequest,
        `Invalid Request: a batch of ${batch.length} exceeds the limit of ${max}`,
      ),
    );
    return;
  }
  // One pass, no closure: `answers` holds only what is to be sent (or may
  // be: a promise), made on the first; notifications and answers to this
  // side's own requests add nothing. When every entry was answered at once
  // it is the reply as it stands.
  let answers: Array<JSONRPCResponse | PromiseLike<Answer>> | undefined;
  let pending = 0;
  for (let k = 0; k < batch.length; k++) {
    const entry = batch[k];
    let answer: Answer | PromiseLike<Answer>;
    if (isRequest(entry)) {
      answer = call(entry, target);
      if (answer === null) continue;
      if (isThenable(answer)) pending++;
    } else if (isResponse(entry)) {
      target.response(entry);
      continue;
    } else {
      failMalformed(entry, target);
      answer = invalidRequest(entry);
    }
    if (answers === undefined) answers = [answer];
    else answers.push(answer);
  }
  if (answers === undefined) return;
  if (pending === 0) target.respond(answers as JSONRPCResponse[]);
  else target.track(pending, Promise.all(answers).then(batchReply));
}
