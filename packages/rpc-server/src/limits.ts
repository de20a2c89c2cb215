import { DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_MESSAGE_SIZE } from '@localwire/transport/framing';

/** What one connection may cost. Every field is optional; see {@link DEFAULT_LIMITS}. */
export interface RpcLimits {
  /** Largest incoming message in bytes; a bigger one is answered `-32600` and the connection closed. */
  maxMessageSize?: number;
  /** Largest header block in bytes (`content-length` codec). */
  maxHeaderSize?: number;
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
   * Server only: output waiting for a client that does not read, in bytes,
   * beyond which more output drops the client. Reading already pauses while
   * the client's buffer is full; this bounds what the client cannot be
   * paused for (notifications). A client's own requests are never dropped.
   */
  maxBufferedBytes?: number;
}

/** The limits used where {@link RpcLimits} leaves a field out. */
export const DEFAULT_LIMITS: Readonly<Required<RpcLimits>> = Object.freeze({
  maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
  maxHeaderSize: DEFAULT_MAX_HEADER_SIZE,
  maxInFlight: 1000,
  maxBatchSize: 1000,
  maxBufferedBytes: 16 * 1024 * 1024,
});

/** `limits` with the defaults filled in. */
export function resolveLimits(limits: RpcLimits = {}): Required<RpcLimits> {
  const resolved = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(resolved) as Array<keyof RpcLimits>) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!(Number.isInteger(value) && value > 0)) {
      throw new RangeError(`limits.${key} must be a positive integer, got ${value}`);
    }
    resolved[key] = value;
  }
  return resolved;
}
