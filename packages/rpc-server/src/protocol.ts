import {
  createJSONRPCErrorResponse,
  type JSONRPCID,
  type JSONRPCRequest,
  type JSONRPCResponse,
} from 'json-rpc-2.0';
import { RpcErrorCode } from './errors.js';

/**
 * Strict JSON-RPC 2.0 shape checks for every message that comes in (stricter
 * than json-rpc-2.0's own, which let a non-string method, an object id or
 * `null` through).
 */

/**
 * The params of a request: by position (an array) or by name (an object).
 * Any object type fits, an `interface` too (it has no index signature, so a
 * `Record<string, unknown>` would refuse it).
 */
export type RpcParams = readonly unknown[] | object;

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for an id the spec allows: a string, a number or `null`. */
export function isId(value: unknown): value is JSONRPCID {
  return typeof value === 'string' || typeof value === 'number' || value === null;
}

/** True for a well-formed request or notification. */
export function isRequest(message: unknown): message is JSONRPCRequest {
  if (!isObject(message) || message.jsonrpc !== '2.0' || typeof message.method !== 'string') {
    return false;
  }
  const { id, params } = message;
  return (
    (id === undefined || isId(id)) &&
    (params === undefined || (typeof params === 'object' && params !== null))
  );
}

/** True for a well-formed response (an answer to a request this side sent). */
export function isResponse(message: unknown): message is JSONRPCResponse {
  return (
    isObject(message) &&
    message.jsonrpc === '2.0' &&
    message.method === undefined &&
    isId(message.id) &&
    (message.result === undefined) !== (message.error === undefined)
  );
}

/**
 * For a message {@link isResponse} refused that still names a request of
 * this side (an id, no method): the `-32603` error response that stands for
 * it, so that the request fails saying why rather than waiting for good.
 * Else `undefined`.
 */
export function malformedAnswer(message: unknown): JSONRPCResponse | undefined {
  if (!isObject(message) || message.method !== undefined) return undefined;
  const { id } = message;
  if (id === null || !isId(id)) return undefined;
  const why =
    message.jsonrpc !== '2.0'
      ? '"jsonrpc" is not "2.0"'
      : message.result === undefined
        ? 'it has neither "result" nor "error"'
        : 'it has both "result" and "error"';
  return createJSONRPCErrorResponse(
    id,
    RpcErrorCode.InternalError,
    `the peer's answer to request ${JSON.stringify(id)} is not a JSON-RPC 2.0 response: ${why}`,
  );
}

/** The `-32600` answer to a message that is neither a request nor a response. */
export function invalidRequest(message: unknown): JSONRPCResponse {
  const id = isObject(message) && isId(message.id) ? message.id : null;
  return createJSONRPCErrorResponse(id, RpcErrorCode.InvalidRequest, 'Invalid Request');
}
