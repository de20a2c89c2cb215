import type { FramingError } from './framing-error.js';

/** Largest message a decoder accepts unless told otherwise: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

/** Deepest nesting of arrays and objects a decoder accepts unless told otherwise: 64 (`[[]]` is 2). */
export const DEFAULT_MAX_DEPTH = 64;

/** Largest header block the `content-length` decoder accepts unless told otherwise: 8 KiB. */
export const DEFAULT_MAX_HEADER_SIZE = 8 * 1024;

/** Limits a {@link Decoder} enforces while it reads. */
export interface DecoderOptions {
  /**
   * Largest message body in bytes. A bigger message is refused with a fatal
   * `MESSAGE_TOO_LARGE` error before more of it is buffered. Default 16 MiB.
   */
  maxMessageSize?: number;
  /** Largest header block in bytes, for codecs with headers (`content-length`). Default 8 KiB. */
  maxHeaderSize?: number;
  /**
   * Deepest nesting of arrays and objects (`[[]]` is 2). A deeper message is
   * refused with a non-fatal `MESSAGE_TOO_DEEP` error before `JSON.parse`
   * sees it, and decoding goes on after it. Default 64.
   */
  maxDepth?: number;
}

/** One item out of a {@link Decoder}: a parsed message, or an error about one message (or the stream). */
export type DecodeResult =
  | {
      /** A whole message was decoded. */
      readonly ok: true;
      /** The message, as `JSON.parse` gave it. */
      readonly message: unknown;
    }
  | {
      /** The bytes did not make a valid message. */
      readonly ok: false;
      /** What was wrong; `fatal` says whether decoding can go on. */
      readonly error: FramingError;
    };

/**
 * Turns a byte stream into JSON messages, incrementally.
 *
 * It is push-in, pull-out rather than a `Transform` stream: the reader
 * {@link Decoder.push}es each chunk as it arrives and then calls
 * {@link Decoder.next} until it returns `undefined`. A consumer that must stop
 * (say, at its cap of requests in flight) simply stops calling `next()` and
 * pauses its source; the undecoded rest of the chunk waits inside the decoder.
 * No stream machinery runs per message, and the only allocation per message
 * is the parsed value and its result object (the built-in codecs' decoders
 * also make their state machine when a chunk arrives with none held, and
 * drop it once it holds nothing, so an idle connection keeps none).
 *
 * Work is linear in the bytes received: each byte is examined a bounded
 * number of times, and a message split over many chunks is joined once.
 */
export interface Decoder {
  /** Adds bytes received. Cheap: decoding happens in {@link Decoder.next}. */
  push(chunk: Uint8Array): void;
  /**
   * The next message or error, or `undefined` when more bytes are needed.
   * After an error with `fatal: true` it returns `undefined` for good.
   */
  next(): DecodeResult | undefined;
  /**
   * Says no more bytes will come. The following {@link Decoder.next} calls
   * drain what is left and report a `TRUNCATED` error for a partial message.
   */
  end(): void;
  /**
   * True while part of a message (or of its header) has been received and
   * the rest has not: what a message timeout watches. Read it after
   * {@link Decoder.next} returned `undefined`.
   */
  readonly pending: boolean;
}

/** A way to frame JSON messages on a byte stream, in both directions. */
export interface Codec {
  /** The codec's name, e.g. `'ndjson'`. */
  readonly name: string;
  /** A decoder for one incoming byte stream. */
  createDecoder(options?: DecoderOptions): Decoder;
  /**
   * One message, framed and ready to write.
   * @throws {TypeError} when `message` cannot be serialized (a `BigInt`, a cycle, `undefined`).
   */
  encode(message: unknown): string;
  /**
   * Optional: frames `json`, one message already serialized as compact JSON
   * (what `JSON.stringify` makes of it), as {@link Codec.encode} frames a
   * message once it has serialized it. A caller that builds a message's JSON
   * text itself uses it where a codec has it, and {@link Codec.encode} where
   * not. `@localwire/rpc-server` builds the text of its requests,
   * notifications and success answers that way, which costs half as much as
   * serializing the message object.
   *
   * @example
   * ```ts
   * import { type Codec, ndjson } from '@localwire/transport/framing';
   *
   * // ndjson, with each line ending in CRLF: encode serializes, frame only frames.
   * const crlfLines: Codec = {
   *   name: 'ndjson-crlf',
   *   createDecoder: (options) => ndjson.createDecoder(options),
   *   encode: (message) => `${JSON.stringify(message)}\r\n`,
   *   frame: (json) => `${json}\r\n`,
   * };
   * ```
   */
  frame?(json: string): string;
}
