import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_MESSAGE_SIZE,
} from '@localwire/transport/framing';

/**
 * What a peer may cost: per connection, and (server only) how many
 * connections. Every field is optional; see {@link DEFAULT_LIMITS}. The fields
 * documented as allowing `Infinity` take it to mean "no limit".
 */
export interface RpcLimits {
  /** Largest incoming message in bytes; a bigger one is answered `-32600` and the connection closed. */
  maxMessageSize?: number;
  /** Largest header block in bytes (`content-length` codec). */
  maxHeaderSize?: number;
  /**
   * Deepest nesting of arrays and objects in an incoming message (`[[]]` is
   * 2). A deeper message is refused before `JSON.parse` sees it, answered
   * with one `-32600` that states the limit; the connection carries on.
   * Default 64.
   */
  maxDepth?: number;
  /**
   * Requests from one peer being handled at once (each request of a batch
   * counts). At the cap, reading from that peer pauses until answers go out.
   */
  maxInFlight?: number;
  /**
   * Most requests in one batch the peer sends; a bigger batch is answered
   * with a single `-32600`. Answers to this side's own batch are not counted.
   */
  maxBatchSize?: number;
  /**
   * Server only: output the client did not ask for (notifications, the
   * server's own requests) waiting for a client that does not read, in
   * bytes, beyond which more such output drops the client. Answers never
   * count: what a client asks for is bounded by pausing its input (reading
   * pauses while its buffer is full, and at most `maxInFlight` requests run),
   * so a client that reads, however slowly, is never dropped for its answers.
   */
  maxBufferedBytes?: number;
  /**
   * Milliseconds within which a message that has begun to arrive (header or
   * body) must be complete. On expiry the peer is answered with one `-32600`
   * that says so, its requests in flight finish, and the connection closes;
   * the server keeps serving the others. Checked by one coarse timer per
   * server (or client), about every quarter of the limit and at least each
   * second, so it fires up to that much late. `Infinity` turns it off.
   * Default 30,000 (30 s).
   */
  messageTimeout?: number;
  /**
   * Milliseconds a connection may go without receiving a byte while none of
   * its requests is in flight; then it is closed (gracefully, with no error
   * sent). Checked like `messageTimeout`. `Infinity` (the default) turns it
   * off: LSP and go-ethereum clients sit idle for hours.
   */
  idleTimeout?: number;
  /**
   * Server only: connections open at once, over all its listeners. A
   * connection over it is closed at once, before any byte is read;
   * `onError` hears of refusals at most once a second. `Infinity` allowed.
   * Default 10,000.
   */
  maxConnections?: number;
  /**
   * Server only: connections open at once from one peer: one user (the
   * peer's uid on Unix, its SID on Windows), or over TLS one client
   * certificate (its SHA-256 fingerprint), or over TCP one host (the peer's
   * IP address); peers the transport tells none of these of are held only
   * to `maxConnections`. Default `Infinity`: one user's own client
   * pool can be thousands of connections. A server opened with
   * `access: 'everyone'` should set it, so that one local user cannot take
   * every connection.
   */
  maxConnectionsPerPeer?: number;
  /**
   * Subscriptions (see `createSubscriptions`) one connection may hold; a
   * subscribe over it fails with `-32005 Limit exceeded`. `Infinity`
   * allowed. Default 1,000.
   */
  maxSubscriptions?: number;
  /**
   * Largest args (the subscribe params after the topic, as JSON, in bytes)
   * a subscription keeps; a subscribe over it fails with `-32005 Limit
   * exceeded`. `Infinity` allowed. Default 16 KiB.
   */
  maxSubscriptionArgsSize?: number;
}

/** The limits used where {@link RpcLimits} leaves a field out. */
export const DEFAULT_LIMITS: Readonly<Required<RpcLimits>> = Object.freeze({
  maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
  maxHeaderSize: DEFAULT_MAX_HEADER_SIZE,
  maxDepth: DEFAULT_MAX_DEPTH,
  maxInFlight: 1000,
  maxBatchSize: 1000,
  maxBufferedBytes: 16 * 1024 * 1024,
  messageTimeout: 30_000,
  idleTimeout: Number.POSITIVE_INFINITY,
  maxConnections: 10_000,
  maxConnectionsPerPeer: Number.POSITIVE_INFINITY,
  maxSubscriptions: 1000,
  maxSubscriptionArgsSize: 16 * 1024,
});

/** The limits that may be `Infinity` (no limit). */
const UNBOUNDED_ALLOWED = new Set<keyof RpcLimits>([
  'messageTimeout',
  'idleTimeout',
  'maxConnections',
  'maxConnectionsPerPeer',
  'maxSubscriptions',
  'maxSubscriptionArgsSize',
]);

/** `limits` with the defaults filled in. */
export function resolveLimits(limits?: RpcLimits): Readonly<Required<RpcLimits>> {
  // The common case, and one that runs for every client connection: nothing to check or copy.
  if (limits === undefined) return DEFAULT_LIMITS;
  const resolved = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(resolved) as Array<keyof RpcLimits>) {
    const value = limits[key];
    if (value === undefined) continue;
    const valid =
      (Number.isInteger(value) && value > 0) ||
      (value === Number.POSITIVE_INFINITY && UNBOUNDED_ALLOWED.has(key));
    if (!valid) {
      const what = UNBOUNDED_ALLOWED.has(key)
        ? 'a positive integer or Infinity'
        : 'a positive integer';
      throw new RangeError(`limits.${key} must be ${what}, got ${value}`);
    }
    resolved[key] = value;
  }
  return resolved;
}
