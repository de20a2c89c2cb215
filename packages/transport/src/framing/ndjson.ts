import { asBuffer, ChunkQueue, PartialMessage } from './chunks.js';
import { FramingError, messageTooDeep, messageTooLarge } from './framing-error.js';
import { IdleDecoder, type StatefulDecoder } from './idle-decoder.js';
import {
  isJsonWhitespace,
  JsonScanner,
  nestsDeeper,
  SCAN_DONE,
  SCAN_MORE,
  SCAN_SKIPPED,
  SCAN_TOO_DEEP,
} from './json-scanner.js';
import { parseError, parseMessage, toJson } from './json-text.js';
import { parseLines } from './line-batch.js';
import {
  type Codec,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_MESSAGE_SIZE,
  type DecodeResult,
  type Decoder,
  type DecoderOptions,
} from './types.js';

const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const EMPTY = Buffer.alloc(0);

/** A byte for an error message: the character when printable ASCII, else its hex value. */
function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? `'${String.fromCharCode(byte)}'`
    : `byte 0x${byte.toString(16)}`;
}

/**
 * Decodes JSON values separated by newlines, or simply concatenated with
 * optional whitespace between them (as go-ethereum reads its IPC socket).
 *
 * - Fast path: the complete lines of a chunk are decoded and split at once
 *   and each parsed with `JSON.parse` ({@link parseLines}); from a line that
 *   does not parse on, each line is tried alone: when the bytes from a
 *   value's start to the next newline parse, that is the message. Either way
 *   no JavaScript loop runs over the bytes.
 * - Otherwise (no newline yet, several values on one line, a value spanning
 *   lines, bad JSON) the {@link JsonScanner} finds where the value ends,
 *   resuming across chunks, and the value is parsed once complete. A line is
 *   tried on the fast path at most once, so no byte is parsed twice over.
 * - Resync after bad input: the bad value is one `PARSE_ERROR`, and decoding
 *   resumes at the next `{` or `[` after it, or after the next newline,
 *   whichever comes first. The bad value ends where its brackets balance, or
 *   (when it breaks the token order, say cut short and followed by the next
 *   message) at the first byte that cannot continue it, or, for stray text at
 *   the top level, at whitespace. So a garbage line is one error, and a
 *   message cut short costs no more than itself.
 * - The size limit is checked while scanning, before a byte over it is kept.
 * - The depth limit too: the scanner refuses a container nested deeper than
 *   `maxDepth` and skips the rest of that value (to where its brackets
 *   balance, or the next newline) without keeping it; a line long enough to
 *   be too deep is checked ({@link nestsDeeper}) before the fast path parses it.
 */
class NdjsonDecoder extends ChunkQueue implements StatefulDecoder {
  readonly #max: number;
  readonly #maxDepth: number;
  // The slow path's state, made the first time a message is not one whole
  // line of a chunk: most connections never need it, and a server holding
  // thousands of them pays for what each keeps.
  #partialMessage: PartialMessage | undefined;
  #jsonScanner: JsonScanner | undefined;
  /** Bytes of a too-deep value skipped so far; they count toward `maxMessageSize`. */
  #skipped = 0;
  /** Messages {@link parseLines} parsed ahead, not yet returned. */
  #ready: unknown[] | undefined;
  #readyIndex = 0;
  /** The last chunk given to {@link parseLines}; each chunk is, at most once. */
  #batchedChunk: Buffer | undefined;
  /** The chunk {@link NdjsonDecoder.#newline} refers to. */
  #newlineChunk: Buffer | undefined;
  /** The next newline in that chunk, or -1 when it has no more. */
  #newline = -1;
  /** A newline whose line failed the fast path; it is not tried again. */
  #failedNewline = -1;
  /** Skipping what follows a bad value; see {@link NdjsonDecoder.#resync}. */
  #resyncing = false;
  #failed = false;
  #ended = false;

  constructor(options: DecoderOptions) {
    super();
    this.#max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  get pending(): boolean {
    return this.#jsonScanner?.started ?? false;
  }

  get idle(): boolean {
    return (
      this.current === undefined &&
      this.#ready === undefined &&
      !this.pending &&
      this.#skipped === 0 &&
      !this.#resyncing &&
      !this.#failed
    );
  }

  get #partial(): PartialMessage {
    this.#partialMessage ??= new PartialMessage();
    return this.#partialMessage;
  }

  /** Bytes of the unfinished message held so far. */
  get #held(): number {
    return this.#partialMessage?.size ?? 0;
  }

  push(chunk: Uint8Array): void {
    if (!this.#failed && !this.#ended) this.enqueue(asBuffer(chunk));
  }

  end(): void {
    this.#ended = true;
  }

  next(): DecodeResult | undefined {
    if (this.#ready !== undefined) return this.#takeReady();
    while (!this.#failed) {
      const buf = this.advance();
      if (buf === undefined) {
        // Every chunk is used up: forget the last, so an idle connection keeps none.
        this.#batchedChunk = this.#newlineChunk = undefined;
        return this.#ended ? this.#finish() : undefined;
      }
      let from = this.pos;
      if (this.#jsonScanner?.started !== true) {
        if (this.#resyncing) from = this.#resync(buf, from);
        while (from < buf.length && isJsonWhitespace(buf[from]!)) from++;
        this.pos = from;
        if (from === buf.length) continue;
        if (this.#batchedChunk !== buf) {
          this.#batchedChunk = buf;
          const last = buf.lastIndexOf(NEWLINE);
          if (last > from && buf.indexOf(NEWLINE, from) === last) {
            // One line (a sequential peer's usual chunk): the fast path below
            // parses it, without the batch's split and array.
            this.#newlineChunk = buf;
            this.#newline = last;
            this.#failedNewline = -1;
          } else if (last > from && last - from <= this.#max) {
            const ready: unknown[] = [];
            this.pos = from = parseLines(buf, from, last, this.#maxDepth, ready);
            if (from <= last) {
              // The line at `from` did not parse just now: the fast path need not try it again.
              this.#newlineChunk = buf;
              this.#newline = this.#failedNewline = buf.indexOf(NEWLINE, from);
            }
            if (ready.length > 0) {
              this.#ready = ready;
              return this.#takeReady();
            }
          }
        }
        const line = this.#fastPath(buf, from);
        if (line !== undefined) return line;
      }
      // Bytes the value may still have. One more is scanned: a bare token
      // (`true`, a number) of exactly the limit ends only at the byte after it.
      const room = this.#max - this.#held - this.#skipped;
      const limit = Math.min(buf.length, from + room + 1);
      this.#jsonScanner ??= new JsonScanner(this.#maxDepth);
      const scanner = this.#jsonScanner;
      const status = scanner.scan(buf, from, limit);
      if (status === SCAN_MORE) {
        if (limit - from > room) return this.#fail(messageTooLarge(this.#max));
        if (scanner.skipping) this.#skipped += buf.length - from;
        else this.#partial.add(buf.subarray(from));
        this.pos = buf.length;
        continue;
      }
      const end = scanner.end;
      if (status === SCAN_TOO_DEEP) {
        // The value is refused now; the rest of it is skipped, not kept.
        this.#skipped = this.#held + end - from;
        this.#partialMessage?.clear();
        this.pos = end;
        return { ok: false, error: messageTooDeep(this.#maxDepth) };
      }
      if (status === SCAN_SKIPPED) {
        this.#skipped = 0;
        this.pos = end;
        continue;
      }
      if (status === SCAN_DONE && end - from > room) return this.#fail(messageTooLarge(this.#max));
      this.pos = end;
      if (status === SCAN_DONE) {
        const result = parseMessage(this.#text(buf, from, end));
        this.#resyncing = !result.ok;
        return result;
      }
      const offset = this.#held + end - from;
      this.#partialMessage?.clear();
      this.#resyncing = true;
      return parseError(`not valid JSON: unexpected ${describeByte(buf[end]!)} at byte ${offset}`);
    }
    return undefined;
  }

  /** The next message parsed by {@link parseLines}. */
  #takeReady(): DecodeResult {
    const ready = this.#ready!;
    const message = ready[this.#readyIndex++];
    if (this.#readyIndex === ready.length) {
      this.#ready = undefined;
      this.#readyIndex = 0;
    }
    return { ok: true, message };
  }

  /** The message on the line starting at `from`, if that line is exactly one JSON value. */
  #fastPath(buf: Buffer, from: number): DecodeResult | undefined {
    if (this.#newlineChunk !== buf) {
      this.#newlineChunk = buf;
      this.#newline = buf.indexOf(NEWLINE, from);
      this.#failedNewline = -1;
    } else if (this.#newline !== -1 && this.#newline < from) {
      this.#newline = buf.indexOf(NEWLINE, from);
    }
    const nl = this.#newline;
    if (nl === -1 || nl === this.#failedNewline || nl - from > this.#max) return undefined;
    const maxDepth = this.#maxDepth;
    if (nl - from >= 2 * maxDepth + 2 && nestsDeeper(buf, from, nl, maxDepth)) {
      this.#failedNewline = nl;
      return undefined;
    }
    try {
      const message: unknown = JSON.parse(buf.toString('utf8', from, nl));
      this.pos = nl + 1;
      return { ok: true, message };
    } catch {
      this.#failedNewline = nl;
      return undefined;
    }
  }

  /**
   * After a bad value: the index of the next `{` or `[` (a message may start
   * there) or just past the next newline, from `from`.
   */
  #resync(buf: Buffer, from: number): number {
    for (let i = from; i < buf.length; i++) {
      const c = buf[i];
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.#resyncing = false;
        return i;
      }
      if (c === NEWLINE) {
        this.#resyncing = false;
        return i + 1;
      }
    }
    return buf.length;
  }

  /** The text of the value that ends at `end` in `buf`, joined with its earlier pieces. */
  #text(buf: Buffer, from: number, end: number): string {
    return this.#held === 0
      ? buf.toString('utf8', from, end)
      : this.#partial.take(buf.subarray(from, end));
  }

  /** At the end of input: a trailing bare token is complete; anything else unfinished is truncated. */
  #finish(): DecodeResult | undefined {
    const scanner = this.#jsonScanner;
    if (scanner?.started !== true) return undefined;
    const complete = scanner.completeAtEnd;
    scanner.reset();
    this.#skipped = 0;
    if (complete) return parseMessage(this.#partial.take(EMPTY));
    const size = this.#held;
    this.#partialMessage?.clear();
    return {
      ok: false,
      error: new FramingError(
        'TRUNCATED',
        `the stream ended inside a message (${size} bytes received)`,
        false,
      ),
    };
  }

  #fail(error: FramingError): DecodeResult {
    this.#failed = true;
    this.dropChunks();
    this.#partialMessage?.clear();
    this.#jsonScanner?.reset();
    this.#skipped = 0;
    return { ok: false, error };
  }
}

/** Ends `json` with the newline that makes it a line. */
function frameLine(json: string): string {
  return `${json}\n`;
}

/**
 * Newline-delimited JSON, the default codec: writes each message as compact
 * one-line JSON followed by `\n` (what ethers' `IpcSocketProvider` expects),
 * and reads values separated by newlines or simply concatenated (what web3's
 * IPC provider writes).
 */
export const ndjson: Codec = {
  name: 'ndjson',
  createDecoder(options: DecoderOptions = {}): Decoder {
    return new IdleDecoder(NdjsonDecoder, options);
  },
  encode(message: unknown): string {
    return frameLine(toJson(message));
  },
  frame: frameLine,
};
