import { type JSONRPCError, JSONRPCErrorException } from 'json-rpc-2.0';

/**
 * The error codes JSON-RPC 2.0 defines, and the few of its server-error
 * range (-32000 to -32099) localwire uses.
 */
export const RpcErrorCode = {
  /** The message is not valid JSON. */
  ParseError: -32700,
  /** The message is not a valid request (or is too large). */
  InvalidRequest: -32600,
  /** No such method. */
  MethodNotFound: -32601,
  /** The params do not fit the method. */
  InvalidParams: -32602,
  /** The handler failed. */
  InternalError: -32603,
  /**
   * A limit was reached (too many subscriptions on one connection, say);
   * the code EIP-1474 gives "Limit exceeded".
   */
  LimitExceeded: -32005,
  /**
   * The server refuses this connection (its `authorize` said no). Sent once,
   * without an id, before the server closes; the client rejects every
   * request with a `TransportError` coded `EACCES` carrying its message.
   */
  ConnectionRefused: -32010,
  /**
   * The request was cancelled (LSP's code, message `Request cancelled`): the
   * answer to a request whose handler ended after its `context.signal`
   * aborted — cancelled by the caller (see `cancelMethod`), or its
   * connection closing. A client's `request` rejects with it only if the
   * server answered so before the client itself gave up.
   */
  RequestCancelled: -32800,
} as const;

/**
 * Marks an {@link RpcError} from any copy of this package (its ESM and
 * CommonJS builds side by side, or two installed versions), where
 * `instanceof` sees only its own copy's class.
 */
const rpcErrorBrand = Symbol.for('localwire.RpcError');

/**
 * A JSON-RPC error: throw it from a handler to answer with this `code`,
 * `message` and `data`; a client's `request` rejects with it when the peer
 * answers with an error. Test for it with {@link isRpcError}, which also knows
 * the errors of another copy of the package; `instanceof` knows only its own.
 */
export class RpcError extends Error {
  static {
    Object.defineProperty(RpcError.prototype, rpcErrorBrand, { value: true });
  }

  /** Always `'RpcError'`. */
  override name = 'RpcError';
  /** The JSON-RPC error code. */
  readonly code: number;
  /** Extra information for the caller, sent as `error.data`. */
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/**
 * True when `error` is an {@link RpcError}, optionally with the given code —
 * also one from another copy of this package (its ESM and CommonJS builds in
 * one program, the "dual package hazard"), which `instanceof` would miss.
 */
export function isRpcError(error: unknown, code?: number): error is RpcError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [rpcErrorBrand]?: unknown })[rpcErrorBrand] === true &&
    (code === undefined || (error as RpcError).code === code)
  );
}

/** True for an error that declares the JSON-RPC error it stands for. */
function isDeclared(error: unknown): error is RpcError | JSONRPCErrorException {
  return (
    (isRpcError(error) || error instanceof JSONRPCErrorException) && Number.isInteger(error.code)
  );
}

/**
 * The `error` member to send for what a handler threw: an {@link RpcError}
 * (or json-rpc-2.0's `JSONRPCErrorException`) as it declares itself; anything
 * else as `-32603 Internal error` — with the error's message only when
 * `exposeMessages` is set, and never its stack.
 */
export function toErrorObject(error: unknown, exposeMessages: boolean): JSONRPCError {
  if (isDeclared(error)) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  const message =
    exposeMessages && error instanceof Error && error.message !== ''
      ? error.message
      : 'Internal error';
  return { code: RpcErrorCode.InternalError, message };
}

/** True for an error that does not declare a JSON-RPC error: a failure, to be reported. */
export function isUnexpected(error: unknown): boolean {
  return !isDeclared(error);
}
