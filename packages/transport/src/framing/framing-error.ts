/**
 * What went wrong while decoding:
 * - `PARSE_ERROR`: one message is not valid JSON; decoding goes on after it.
 * - `MESSAGE_TOO_LARGE`: a message exceeds `maxMessageSize` (fatal).
 * - `MESSAGE_TOO_DEEP`: a message nests deeper than `maxDepth`; decoding goes on after it.
 * - `HEADER_TOO_LARGE`: a header block exceeds `maxHeaderSize` (fatal).
 * - `INVALID_HEADER`: a header block is malformed or lacks `Content-Length` (fatal).
 * - `TRUNCATED`: the stream ended in the middle of a message.
 */
export type FramingErrorCode =
  | 'PARSE_ERROR'
  | 'MESSAGE_TOO_LARGE'
  | 'MESSAGE_TOO_DEEP'
  | 'HEADER_TOO_LARGE'
  | 'INVALID_HEADER'
  | 'TRUNCATED';

/** An error a {@link Decoder} reports about the bytes it was given. */
export class FramingError extends Error {
  /** Always `'FramingError'`. */
  override name = 'FramingError';
  /** What went wrong. */
  readonly code: FramingErrorCode;
  /** True when the stream cannot be decoded any further; the decoder then yields nothing more. */
  readonly fatal: boolean;

  constructor(code: FramingErrorCode, message: string, fatal: boolean) {
    super(message);
    this.code = code;
    this.fatal = fatal;
  }
}

/** The fatal error for a message bigger than `limit` bytes. */
export function messageTooLarge(limit: number, size?: number): FramingError {
  const what = size === undefined ? 'a message' : `a message of ${size} bytes`;
  return new FramingError(
    'MESSAGE_TOO_LARGE',
    `${what} exceeds the limit of ${limit} bytes (maxMessageSize)`,
    true,
  );
}

/** The non-fatal error for a message nested deeper than `limit` levels. */
export function messageTooDeep(limit: number): FramingError {
  return new FramingError(
    'MESSAGE_TOO_DEEP',
    `a message nests deeper than the limit of ${limit} levels (maxDepth)`,
    false,
  );
}
