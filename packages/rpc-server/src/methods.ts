import type { StandardSchemaV1 } from '@standard-schema/spec';
import {
  createJSONRPCErrorResponse,
  createJSONRPCSuccessResponse,
  createMethodNotFoundResponse,
  type JSONRPCID,
  type JSONRPCRequest,
  type JSONRPCResponse,
} from 'json-rpc-2.0';
import type { CallContext } from './call-context.js';
import type { RpcContext, RpcHandler, RpcMethodDefinition, RpcMethods } from './context.js';
import { isRpcError, isUnexpected, RpcError, RpcErrorCode, toErrorObject } from './errors.js';
import { invalidParams, isStandardSchema, ResultSchemaError } from './schema.js';

/** How a {@link MethodTable} answers and reports errors. */
export interface ErrorPolicy {
  /** Send the message of an unexpected handler error instead of `Internal error`. */
  exposeErrorMessages: boolean;
  /** Told of each unexpected error a handler throws. */
  onError: (error: unknown) => void;
}

/** The answer to one request: a response, or `null` for a notification. */
export type Answer = JSONRPCResponse | null;

/** Where a {@link MethodTable} gets the context of a call: made only for a method it has. */
export interface ContextSource {
  /** A fresh context for the call of `request`, counted as running until it has answered. */
  context(request: JSONRPCRequest): CallContext;
}

type Method = (params: unknown, context: RpcContext) => unknown;

/** True for a promise or any other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * The params `check` returns; what it throws becomes `-32602`. Only an
 * {@link RpcError} says why to the peer (as it declares itself): the message
 * of anything else — a check that crashed on the params, say (`Cannot read
 * properties of undefined`) — is internal, sent only with `exposeMessages`.
 */
function checkedParams(
  check: (params: unknown) => unknown,
  params: unknown,
  exposeMessages: boolean,
): unknown {
  try {
    return check(params);
  } catch (error) {
    if (isRpcError(error)) throw error;
    const why = exposeMessages ? (error instanceof Error ? error.message : String(error)) : '';
    throw new RpcError(
      RpcErrorCode.InvalidParams,
      why ? `Invalid params: ${why}` : 'Invalid params',
    );
  }
}

/** The handler's params from a schema's verdict. @throws {RpcError} `-32602` with the issues. */
function validParams(verdict: StandardSchemaV1.Result<unknown>): unknown {
  if (verdict.issues) throw invalidParams(verdict.issues);
  return verdict.value;
}

/** `handler` behind a params schema, sync or async. */
function schemaChecked(schema: StandardSchemaV1, handler: RpcHandler): Method {
  const standard = schema['~standard'];
  return (params, context) => {
    const verdict = standard.validate(params);
    return isThenable(verdict)
      ? verdict.then((v) => handler(validParams(v), context))
      : handler(validParams(verdict), context);
  };
}

/** `method` whose results are checked by `schema` before they are sent (its output is sent). */
function resultChecked(name: string, schema: StandardSchemaV1, method: Method): Method {
  const standard = schema['~standard'];
  const validResult = (verdict: StandardSchemaV1.Result<unknown>) => {
    if (verdict.issues) throw new ResultSchemaError(name, verdict.issues);
    return verdict.value;
  };
  const check = (value: unknown) => {
    const verdict = standard.validate(value);
    return isThenable(verdict) ? verdict.then(validResult) : validResult(verdict);
  };
  return (params, context) => {
    const value = method(params, context);
    return isThenable(value) ? value.then(check) : check(value);
  };
}

/** @throws {TypeError} naming the method and saying `what` must be, unless `ok`. */
function assertShape(ok: boolean, name: string, what: string): void {
  if (!ok) throw new TypeError(`method ${JSON.stringify(name)}: ${what}`);
}

/**
 * The call of a definition, composed once here (not per call): a plain
 * handler is called as it is; checks wrap it only where they are declared.
 */
function toMethod(
  name: string,
  definition: RpcHandler | RpcMethodDefinition,
  policy: ErrorPolicy,
): Method {
  if (typeof definition === 'function') return definition;
  const { params: check, result, handler } = definition;
  assertShape(typeof handler === 'function', name, 'handler must be a function');
  assertShape(
    result === undefined || isStandardSchema(result),
    name,
    'result must be a Standard Schema v1 validator',
  );
  let method: Method;
  // A schema first: some schemas (arktype's) are functions too.
  if (isStandardSchema(check)) {
    method = schemaChecked(check, handler);
  } else if (typeof check === 'function') {
    method = (params, context) =>
      handler(checkedParams(check, params, policy.exposeErrorMessages), context);
  } else {
    assertShape(
      check === undefined,
      name,
      'params must be a Standard Schema v1 validator or a function',
    );
    method = handler;
  }
  return result === undefined ? method : resultChecked(name, result, method);
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

  /** Adds or replaces a method. @throws {TypeError} if `definition` is malformed. */
  set(name: string, definition: RpcHandler | RpcMethodDefinition): void {
    this.#methods.set(name, toMethod(name, definition, this.#policy));
  }

  /** Removes a method. */
  delete(name: string): void {
    this.#methods.delete(name);
  }

  /**
   * Runs `request` with a context from `source`: the answer now when the
   * handler is synchronous, else a promise of it. A call aborted before its
   * handler ended is answered `-32800` (see {@link CallContext.answered}).
   */
  call(request: JSONRPCRequest, source: ContextSource): Answer | PromiseLike<Answer> {
    const { id } = request;
    const method = this.#methods.get(request.method);
    if (method === undefined) return id === undefined ? null : createMethodNotFoundResponse(id);
    const context = source.context(request);
    let result: unknown;
    try {
      result = method(request.params, context);
    } catch (error) {
      return context.answered(this.#failed(id, error, context));
    }
    if (isThenable(result)) {
      return result.then(
        (value) => context.answered(this.#succeeded(request, value, context)),
        (error: unknown) => context.answered(this.#failed(id, error, context)),
      );
    }
    return context.answered(this.#succeeded(request, result, context));
  }

  /**
   * The answer carrying `result`. A result JSON has no form for (a function,
   * a symbol) fails the call instead: serializing would leave the `result`
   * member out, and a response with neither a result nor an error answers
   * nothing, so the caller would wait for good.
   */
  #succeeded(request: JSONRPCRequest, result: unknown, context: CallContext): Answer {
    const { id } = request;
    if (id === undefined) return null;
    if (typeof result === 'function' || typeof result === 'symbol') {
      const error = new TypeError(
        `method ${JSON.stringify(request.method)} returned a ${typeof result}, which JSON cannot carry; return a JSON value (call the function, or return undefined for null)`,
      );
      return this.#failed(id, error, context);
    }
    return createJSONRPCSuccessResponse(id, result);
  }

  #failed(id: JSONRPCID | undefined, error: unknown, context: CallContext): Answer {
    // A handler giving up on an aborted call (an AbortError, say) is no failure.
    if (!context.aborted && isUnexpected(error)) this.#policy.onError(error);
    if (id === undefined) return null;
    const { code, message, data } = toErrorObject(error, this.#policy.exposeErrorMessages);
    return createJSONRPCErrorResponse(id, code, message, data);
  }
}
