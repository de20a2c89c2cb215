import type { Codec } from '@localwire/transport/framing';
import type { JSONRPCRequest, JSONRPCResponse } from 'json-rpc-2.0';

/**
 * The frames of the messages every call sends: a request or notification,
 * and a success answer. Where the codec frames JSON text
 * ({@link Codec.frame}), the text is put together here from the message's
 * parts, and only the parts that vary (the method, params, result, id) go
 * through `JSON.stringify`. For a small message that costs about half of
 * serializing the message object, once per call on each side. The text
 * is exactly what `JSON.stringify` makes of the object, with the same
 * members in the same order, and it throws what that throws (a `BigInt`, a
 * cycle). Anything else goes to `codec.encode` whole: a codec without
 * `frame`, a batch, an error answer, or a part whose JSON could depend on
 * the member it is in (see {@link keyed}).
 *
 * Ids go through `JSON.stringify` too, not a template literal. In a
 * template literal a number becomes text by way of V8's number-to-string
 * cache. With ids that only grow, a pipelining client built that way kept
 * about 3 MB more after each scavenge, until a full collection freed it,
 * and garbage collection took a third of its time. That was measured
 * (`--trace-gc`, a CPU profile); that the cache is the cause is inferred.
 */

const PARAMS = ',"params":';
const RESULT = ',"result":';

/**
 * The method of the last request framed, and the text of its message up to
 * the params: callers mostly call one method many times in a row.
 */
let lastMethod: string | undefined;
let lastMethodHead = '';

/**
 * True for a value with a `toJSON`: it is called with the member's name,
 * which a part serialized on its own would not give it, so the message is
 * serialized whole instead.
 */
function keyed(value: unknown): boolean {
  return (
    ((typeof value === 'object' && value !== null) || typeof value === 'bigint') &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  );
}

/** `prefix` and the JSON of `value`; nothing for a value with no JSON form, as `JSON.stringify` leaves out such a member. */
function member(prefix: string, value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? '' : prefix + json;
}

/**
 * A request or notification (or a batch of them), framed by `codec`. A
 * request is as the endpoint makes it: `{ jsonrpc, method, params, id }`,
 * with no `id` for a notification (json-rpc-2.0's
 * `createJSONRPCNotification`).
 */
export function frameRequest(codec: Codec, request: JSONRPCRequest | JSONRPCRequest[]): string {
  if (codec.frame === undefined || Array.isArray(request)) return codec.encode(request);
  const { method, params, id } = request;
  if (typeof method !== 'string' || keyed(params)) return codec.encode(request);
  if (method !== lastMethod) {
    lastMethod = method;
    lastMethodHead = `{"jsonrpc":"2.0","method":${JSON.stringify(method)}`;
  }
  const head = lastMethodHead + member(PARAMS, params);
  return codec.frame(id === undefined ? `${head}}` : `${head},"id":${JSON.stringify(id)}}`);
}

/**
 * An answer (or a batch's answers), framed by `codec`. A success answer is
 * as json-rpc-2.0's `createJSONRPCSuccessResponse` makes it:
 * `{ jsonrpc, id, result }`.
 */
export function frameResponse(codec: Codec, response: JSONRPCResponse | JSONRPCResponse[]): string {
  if (
    codec.frame === undefined ||
    Array.isArray(response) ||
    !('result' in response) ||
    keyed(response.result)
  ) {
    return codec.encode(response);
  }
  return codec.frame(
    `{"jsonrpc":"2.0","id":${JSON.stringify(response.id)}${member(RESULT, response.result)}}`,
  );
}
