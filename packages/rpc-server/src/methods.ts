import {
  createJSONRPCErrorResponse,
  createJSONRPCSuccessResponse,
  createMethodNotFoundResponse,
  type JSONRPCID,
  type JSONRPCRequest,
  type JSONRPCResponse,
} from 'json-rpc-2.0';
import type { RpcContext, RpcHandler, RpcMethodDefinition, RpcMethods } from './context.js';
import { isRpcError, isUnexpected, RpcError, RpcErrorCode, toErrorObject } from './errors.js';

/** How a {@link MethodTable} answers and reports errors. */
export interface ErrorPolicy {
  /** Send the message of an unexpected handler error instead of `Internal error`. */
  exposeErrorMessages: boolean;
  /** Told of each unexpected error a handler throws. */
  onError: (error: unknown) => void;
}

/** The answer to one request: a response, or `null` for a notification. */
export type Answer = JSONRPCResponse | null;

type Method = (params: unknown, context: RpcContext) => unknown;

/** True for a promise or any other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function checkedParams(check: (params: unknown) => unknown, params: unknown): unknown {
  try {
    return check(params);
  } catch (error) {
    if (isRpcError(error)) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new RpcError(
      RpcErrorCode.InvalidParams,
      why ? `Invalid params: ${why}` : 'Invalid params',
    );
  }
}

function toMethod(definition: RpcHandler | RpcMethodDefinition): Method {
  if (typeof definition === 'function') return definition;
  const { params: check, handler } = definition;
  return (params, context) => handler(checkedParams(check, params), context);
}

/**
 * Methods by name, and the call of one (already validated) request.
 *
 * Dispatch is done here rather than by json-rpc-2.0's `JSONRPCServer`: its
 * per-request async machinery (a generator and four promises, even for a
 * synchronous handler) halved pipelined throughput in measurement. A
 * synchronous handler is answered synchronously here; the responses are
 * json-rpc-2.0's own (`createJSONRPCSuccessResponse` and friends). Lookup is
 * a `Map` of own properties, so `toString` or `__proto__` are never found by
 * accident; declared error codes are kept, anything else becomes `-32603`
 * with no stack trace.
 */
export class MethodTable {
  readonly #methods = new Map<string, Method>();
  readonly #policy: ErrorPolicy;

  constructor(methods: RpcMethods, policy: ErrorPolicy) {
    this.#policy = policy;
    for (const [name, definition] of Object.entries(methods)) this.set(name, definition);
  }

  /** Adds or replaces a method. */
  set(name: string, definition: RpcHandler | RpcMethodDefinition): void {
    this.#methods.set(name, toMethod(definition));
  }

  /** Removes a method. */
  delete(name: string): void {
    this.#methods.delete(name);
  }

  /** Runs `request`: the answer now when the handler is synchronous, else a promise of it. */
  call(request: JSONRPCRequest, context: RpcContext): Answer | PromiseLike<Answer> {
    const { id } = request;
    const method = this.#methods.get(request.method);
    if (method === undefined) return id === undefined ? null : createMethodNotFoundResponse(id);
    let result: unknown;
    try {
      result = method(request.params, context);
    } catch (error) {
      return this.#failed(id, error);
    }
    if (isThenable(result)) {
      return result.then(
        (value) => (id === undefined ? null : createJSONRPCSuccessResponse(id, value)),
        (error: unknown) => this.#failed(id, error),
      );
    }
    return id === undefined ? null : createJSONRPCSuccessResponse(id, result);
  }

  #failed(id: JSONRPCID | undefined, error: unknown): Answer {
    if (isUnexpected(error)) this.#policy.onError(error);
    if (id === undefined) return null;
    const { code, message, data } = toErrorObject(error, this.#policy.exposeErrorMessages);
    return createJSONRPCErrorResponse(id, code, message, data);
  }
}
