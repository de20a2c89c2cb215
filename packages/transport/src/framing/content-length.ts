import { asBuffer, ChunkQueue, PartialMessage } from './chunks.js';
import { FramingError, messageTooDeep, messageTooLarge } from './framing-error.js';
import { HeaderEnd } from './header-end.js';
import { IdleDecoder, type StatefulDecoder } from './idle-decoder.js';
import { nestsDeeper } from './json-scanner.js';
import { parseMessage, toJson } from './json-text.js';
import {
  type Codec,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_MESSAGE_SIZE,
  type DecodeResult,
  type Decoder,
  type DecoderOptions,
} from './types.js';

const charsetPattern = /;\s*charset\s*=\s*"?([^";\s]+)/i;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

function invalidHeader(why: string): FramingError {
  return new FramingError('INVALID_HEADER', why, true);
}

/**
 * The body length a header block announces, or the fatal error that says what
 * is wrong with it: no `Content-Length`, a malformed line, a charset other
 * than UTF-8, or a length over `maxMessageSize`.
 */
function bodyLength(header: string, maxMessageSize: number): number | FramingError {
  let length: number | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return invalidHeader(`malformed header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value))
        return invalidHeader(`bad Content-Length ${JSON.stringify(value)}`);
      length = Number(value);
    } else if (name === 'content-type') {
      const charset = charsetPattern.exec(value)?.[1]?.toLowerCase();
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        return invalidHeader(`unsupported charset ${JSON.stringify(charset)}; only utf-8 is`);
      }
    }
  }
  if (length === undefined) return invalidHeader('the header has no Content-Length');
  if (length > maxMessageSize) return messageTooLarge(maxMessageSize, length);
  return length;
}

/**
 * Decodes `Content-Length: N\r\n\r\n<N bytes of JSON>` frames (LSP and
 * vscode-jsonrpc), optionally with a `Content-Type` header. The body length is
 * checked against `maxMessageSize` from the header, before any of the body is
 * buffered. A body that is not valid JSON is one `PARSE_ERROR`, and one nested
 * deeper than `maxDepth` one `MESSAGE_TOO_DEEP` (checked on its bytes before
 * `JSON.parse` sees it); the framing is intact, so decoding goes on with the
 * next frame. A bad header is fatal.
 */
class ContentLengthDecoder extends ChunkQueue implements StatefulDecoder {
  readonly #maxBody: number;
  readonly #maxHeader: number;
  readonly #maxDepth: number;
  readonly #header = new PartialMessage();
  readonly #headerEnd = new HeaderEnd();
  readonly #body = new PartialMessage();
  /** Length of the body being read, or -1 while reading a header. */
  #bodyLength = -1;
  #failed = false;
  #ended = false;

  constructor(options: DecoderOptions) {
    super();
    this.#maxBody = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#maxHeader = options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  get pending(): boolean {
    return this.#bodyLength !== -1 || this.#header.size > 0;
  }

  get idle(): boolean {
    return this.current === undefined && !this.pending && !this.#failed;
  }

  push(chunk: Uint8Array): void {
    if (!this.#failed && !this.#ended) this.enqueue(asBuffer(chunk));
  }

  end(): void {
    this.#ended = true;
  }

  next(): DecodeResult | undefined {
    while (!this.#failed) {
      if (this.#bodyLength === 0) {
        // An empty body is complete with its header, even if no byte follows.
        this.#bodyLength = -1;
        return parseMessage('');
      }
      const buf = this.advance();
      if (buf === undefined) return this.#ended ? this.#finish() : undefined;
      if (this.#bodyLength === -1) {
        const error = this.#readHeader(buf);
        if (error !== undefined) return this.#fail(error);
        continue;
      }
      const from = this.pos;
      const end = from + this.#bodyLength - this.#body.size;
      if (end > buf.length) {
        this.#body.add(buf.subarray(from));
        this.pos = buf.length;
        continue;
      }
      this.pos = end;
      this.#bodyLength = -1;
      if (this.#body.size === 0) return this.#parse(buf, from, end);
      const body = this.#body.takeBuffer(buf.subarray(from, end));
      return this.#parse(body, 0, body.length);
    }
    return undefined;
  }

  /** Parses the body `buf[from, end)`, unless it nests too deep. */
  #parse(buf: Buffer, from: number, end: number): DecodeResult {
    const maxDepth = this.#maxDepth;
    if (end - from >= 2 * maxDepth + 2 && nestsDeeper(buf, from, end, maxDepth)) {
      return { ok: false, error: messageTooDeep(maxDepth) };
    }
    return parseMessage(buf.toString('utf8', from, end));
  }

  /** Reads header bytes from `buf`; sets the body length once the block is complete. */
  #readHeader(buf: Buffer): FramingError | undefined {
    const from = this.pos;
    // JSON where a header belongs: the peer frames with ndjson. Said at once,
    // rather than after maxHeaderSize bytes (or never, for short messages).
    // No header name can start with '{' or '['.
    if (this.#header.size === 0 && (buf[from] === OPEN_BRACE || buf[from] === OPEN_BRACKET)) {
      return invalidHeader(
        'JSON where a Content-Length header belongs: the peer seems to frame messages as ndjson (use the same codec on both sides)',
      );
    }
    const end = this.#headerEnd.find(buf, from);
    // Unfinished, the block may end with up to 3 bytes of its terminator.
    const size = this.#header.size + (end === -1 ? buf.length - 3 : end - 4) - from;
    if (size > this.#maxHeader) {
      return new FramingError(
        'HEADER_TOO_LARGE',
        `a header block exceeds the limit of ${this.#maxHeader} bytes (maxHeaderSize)`,
        true,
      );
    }
    if (end === -1) {
      this.#header.add(buf.subarray(from));
      this.#headerEnd.skip(buf, from);
      this.pos = buf.length;
      return undefined;
    }
    this.pos = end;
    const block = this.#header.take(buf.subarray(from, end));
    this.#headerEnd.reset();
    const length = bodyLength(block.slice(0, -4), this.#maxBody);
    if (typeof length !== 'number') return length;
    this.#bodyLength = length;
    return undefined;
  }

  /** At the end of input: a frame begun but not finished is truncated. */
  #finish(): DecodeResult | undefined {
    const received = this.#header.size + this.#body.size;
    if (received === 0 && this.#bodyLength === -1) return undefined;
    this.#header.clear();
    this.#body.clear();
    this.#headerEnd.reset();
    this.#bodyLength = -1;
    return {
      ok: false,
      error: new FramingError(
        'TRUNCATED',
        `the stream ended inside a message (${received} bytes received)`,
        false,
      ),
    };
  }

  #fail(error: FramingError): DecodeResult {
    this.#failed = true;
    this.dropChunks();
    this.#header.clear();
    this.#body.clear();
    return { ok: false, error };
  }
}

/** Puts the `Content-Length` header before `json`. */
function frameContentLength(json: string): string {
  return `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
}

/**
 * `Content-Length` framing as LSP and vscode-jsonrpc use it: each message is
 * `Content-Length: <bytes>\r\n\r\n` followed by compact JSON in UTF-8.
 */
export const contentLength: Codec = {
  name: 'content-length',
  createDecoder(options: DecoderOptions = {}): Decoder {
    return new IdleDecoder(ContentLengthDecoder, options);
  },
  encode(message: unknown): string {
    return frameContentLength(toJson(message));
  },
  frame: frameContentLength,
};
