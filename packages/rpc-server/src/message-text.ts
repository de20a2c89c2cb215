import type { Codec } from '@localwire/transport/framing';
import type { JSONRPCRequest, JSONRPCResponse } from 'json-rpc-2.0';

/**
 * The frames of the messages every call sends: a request or notification,
 * and a success answer, alone or in a batch. Where the codec frames JSON
 * text ({@link Codec.frame}), the text is put together here from the
 * message's parts, and only the parts that vary (the method, params,
 * result, id) go through `JSON.stringify`. For a small message that costs
 * about half of serializing the message object, once per call on each
 * side. The text is exactly what `JSON.stringify` makes of the object (or
 * the batch's array), with the same members in the same order, and it
 * throws what that throws (a `BigInt`, a cycle). Anything else is
 * serialized whole: everything, for a codec without `frame`; an error
 * answer, or a message with a part whose JSON could depend on the member
 * it is in (see {@link keyed}), alone or as a batch's entry.
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
 * The JSON text of a request or notification as the endpoint makes it,
 * `{ jsonrpc, method, params, id }` with no `id` for a notification
 * (json-rpc-2.0's `createJSONRPCNotification`); `undefined` for one to be
 * serialized whole (see {@link keyed}).
 */
function requestJson({ method, params, id }: JSONRPCRequest): string | undefined {
  if (typeof method !== 'string' || keyed(params)) return undefined;
  if (method !== lastMethod) {
    lastMethod = method;
    lastMethodHead = `{"jsonrpc":"2.0","method":${JSON.stringify(method)}`;
  }
  const head = lastMethodHead + member(PARAMS, params);
  return id === undefined ? `${head}}` : `${head},"id":${JSON.stringify(id)}}`;
}

/**
 * The JSON text of an answer: put together for a success answer as
 * json-rpc-2.0's `createJSONRPCSuccessResponse` makes it,
 * `{ jsonrpc, id, result }`; `undefined` for one to be serialized whole.
 */
function responseJson(response: JSONRPCResponse): string | undefined {
  if (!('result' in response) || keyed(response.result)) return undefined;
  return `{"jsonrpc":"2.0","id":${JSON.stringify(response.id)}${member(RESULT, response.result)}}`;
}

/**
 * A batch's text, entry by entry: each entry's text is what it has inside
 * the array `JSON.stringify` writes (an entry's own members see the same
 * keys there as on their own), so the whole is that array's text. For a
 * batch of 100 tiny calls this took a fifth off serializing the requests
 * and a tenth off the answers.
 */
function batchJson<T extends object>(
  entries: readonly T[],
  json: (entry: T) => string | undefined,
): string {
  let text = '[';
  for (let k = 0; k < entries.length; k++) {
    const entry = entries[k]!;
    if (k > 0) text += ',';
    text += json(entry) ?? JSON.stringify(entry);
  }
  return `${text}]`;
}

// frameRequest and frameResponse stay two functions, not one generic one
// taking `requestJson` or `responseJson`: shared, that call would see both
// and both message shapes on every call (pipelined calls read 3 % more
// instructions in two callgrind runs, both sides in one process).

/** A request or notification (or a batch of them), framed by `codec`. */
export function frameRequest(codec: Codec, request: JSONRPCRequest | JSONRPCRequest[]): string {
  if (codec.frame === undefined) return codec.encode(request);
  if (Array.isArray(request)) return codec.frame(batchJson(request, requestJson));
  const json = requestJson(request);
  return json === undefined ? codec.encode(request) : codec.frame(json);
}

/** An answer (or a batch's answers), framed by `codec`. */
export function frameResponse(codec: Codec, response: JSONRPCResponse | JSONRPCResponse[]): string {
  if (codec.frame === undefined) return codec.encode(response);
  if (Array.isArray(response)) return codec.frame(batchJson(response, responseJson));
  const json = responseJson(response);
  return json === undefined ? codec.encode(response) : codec.frame(json);
}
