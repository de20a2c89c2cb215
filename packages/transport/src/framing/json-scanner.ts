/**
 * Finds where one JSON value ends in a byte stream, chunk by chunk, without
 * parsing it: it tracks nesting, strings and escapes, and checks the token
 * order (`{` key `:` value `,` …) so that a value cut short and followed by the
 * next message is noticed at the first byte that cannot continue it.
 *
 * It works on bytes, so a multi-byte UTF-8 character split across chunks is
 * never looked at. String bodies, usually the bulk of a JSON-RPC message, are
 * skipped with a native `indexOf`; only the bytes between strings pass through
 * the JavaScript loop. Numbers and literals are not checked here: `JSON.parse`
 * does that once the value is complete.
 */

import { wasmNestsDeeper } from './nesting-wasm.js';

/** {@link JsonScanner.scan} found the end of the value at {@link JsonScanner.end}. */
export const SCAN_DONE = 0;
/** {@link JsonScanner.scan} reached its limit inside the value; give it the next chunk. */
export const SCAN_MORE = 1;
/** {@link JsonScanner.scan} found a byte at {@link JsonScanner.end} that cannot continue the value. */
export const SCAN_ERROR = 2;

/**
 * {@link JsonScanner.scan} found a container nested deeper than `maxDepth`;
 * {@link JsonScanner.end} is just past its opening bracket. The scanner then
 * skips the rest of the value, without keeping it: the next scans return
 * {@link SCAN_MORE} until {@link SCAN_SKIPPED}.
 */
export const SCAN_TOO_DEEP = 3;
/** {@link JsonScanner.scan} skipped the rest of a value that was too deep; it ended just before {@link JsonScanner.end}. */
export const SCAN_SKIPPED = 4;

/** What {@link JsonScanner.scan} reports. */
export type ScanStatus =
  | typeof SCAN_DONE
  | typeof SCAN_MORE
  | typeof SCAN_ERROR
  | typeof SCAN_TOO_DEEP
  | typeof SCAN_SKIPPED;

// What the next significant byte may be.
const START = 0; // nothing read yet
const VALUE = 1; // a value (after ':' or ',' in an array)
const ARRAY_FIRST = 2; // a value or ']'
const OBJECT_FIRST = 3; // a key or '}'
const KEY = 4; // a key (after ',' in an object)
const COLON = 5; // ':'
const AFTER = 6; // ',' or the closing bracket
const TOKEN = 7; // inside a bare token (number, true, false, null) in a container
const TOP_TOKEN = 8; // inside a bare token at the top level
const STRING = 9; // inside a string

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
/** Strings up to this long are skipped byte by byte; a native `indexOf` pays off beyond. */
const SHORT_STRING = 32;

// Byte classes, looked up once per byte outside strings.
const OTHER = 0; // part of a bare token (number, true, false, null) or of garbage
const SPACE = 1;
const STRING_START = 2;
const OPEN_OBJECT = 3;
const CLOSE_OBJECT = 4;
const OPEN_ARRAY = 5;
const CLOSE_ARRAY = 6;
const COMMA = 7;
const COLON_CLASS = 8;

const byteClass = new Uint8Array(256);
for (const [char, cls] of [
  [' ', SPACE],
  ['\t', SPACE],
  ['\n', SPACE],
  ['\r', SPACE],
  ['"', STRING_START],
  ['{', OPEN_OBJECT],
  ['}', CLOSE_OBJECT],
  ['[', OPEN_ARRAY],
  [']', CLOSE_ARRAY],
  [',', COMMA],
  [':', COLON_CLASS],
] as const) {
  byteClass[char.charCodeAt(0)] = cls;
}

const IN_OBJECT = 1;
const IN_ARRAY = 2;

/** True for the four bytes JSON allows between tokens: space, tab, LF and CR. */
export function isJsonWhitespace(c: number): boolean {
  return byteClass[c] === SPACE;
}

/** Incremental end-of-value finder for one JSON value at a time; see the module comment. */
export class JsonScanner {
  /** Where the last {@link JsonScanner.scan} stopped; its meaning depends on the status. */
  end = 0;
  #state = START;
  /** The open containers, innermost last. */
  #stack: number[] = [];
  /** For a string: the state to take after its closing quote. */
  #afterString = AFTER;
  /** For a string: the next byte is escaped (a chunk ended on a backslash). */
  #escaped = false;
  readonly #maxDepth: number;
  /** While skipping a value that is too deep: how deep the skip is (0 when not skipping). */
  #skipDepth = 0;
  /** While skipping: inside a string. */
  #skipInString = false;

  /** `maxDepth`: how deeply containers may nest (`[[]]` is 2); deeper is {@link SCAN_TOO_DEEP}. */
  constructor(maxDepth = Number.POSITIVE_INFINITY) {
    this.#maxDepth = maxDepth;
  }

  /** True once the current value has begun. */
  get started(): boolean {
    return this.#state !== START || this.#skipDepth > 0;
  }

  /** True while skipping the rest of a value that was too deep (see {@link SCAN_TOO_DEEP}). */
  get skipping(): boolean {
    return this.#skipDepth > 0;
  }

  /** True when the value read so far is complete if the input ends here (a bare top-level token). */
  get completeAtEnd(): boolean {
    return this.#state === TOP_TOKEN;
  }

  /** Forgets the current value, ready for the next one. */
  reset(): void {
    this.#state = START;
    this.#stack.length = 0;
    this.#escaped = false;
    this.#skipDepth = 0;
    this.#skipInString = false;
  }

  /**
   * Scans `buf[from, limit)`, the value's first byte (not whitespace) or the
   * continuation of the value scanned before. Returns {@link SCAN_DONE} with
   * {@link JsonScanner.end} just past the value, {@link SCAN_MORE} when the
   * value goes on past `limit`, or {@link SCAN_ERROR} with
   * {@link JsonScanner.end} at the offending byte (the value is the bytes
   * before it; a new value may start there).
   */
  scan(buf: Buffer, from: number, limit: number): ScanStatus {
    if (this.#skipDepth > 0) return this.#skip(buf, from, limit);
    const stack = this.#stack;
    const maxDepth = this.#maxDepth;
    let state = this.#state;
    let i = from;
    if (state === START && i < limit) {
      const cls = byteClass[buf[i]!];
      i++;
      if (cls === OPEN_OBJECT) {
        stack.push(IN_OBJECT);
        state = OBJECT_FIRST;
      } else if (cls === OPEN_ARRAY) {
        stack.push(IN_ARRAY);
        state = ARRAY_FIRST;
      } else if (cls === STRING_START) {
        state = STRING;
        this.#afterString = AFTER;
      } else {
        state = TOP_TOKEN;
      }
      if (stack.length > maxDepth) return this.#tooDeep(i, stack.length);
    }
    while (i < limit) {
      if (state === STRING) {
        i = this.#skipString(buf, i, limit);
        if (i === -1) {
          i = limit;
          break;
        }
        state = this.#afterString;
        if (stack.length === 0) return this.#done(i);
        continue;
      }
      let cls = byteClass[buf[i]!]!;
      if (state === TOP_TOKEN) {
        if (cls === SPACE || cls === OPEN_OBJECT || cls === OPEN_ARRAY || cls === STRING_START) {
          return this.#done(i);
        }
        i++;
        continue;
      }
      if (state === TOKEN) {
        while (cls === OTHER && ++i < limit) cls = byteClass[buf[i]!]!;
        if (i === limit) break;
        if (cls === SPACE || cls === COMMA || cls === CLOSE_OBJECT || cls === CLOSE_ARRAY) {
          state = AFTER;
        } else {
          return this.#error(i);
        }
      }
      if (cls === SPACE) {
        i++;
        continue;
      }
      switch (state) {
        case VALUE:
        case ARRAY_FIRST:
          if (cls === OPEN_OBJECT || cls === OPEN_ARRAY) {
            if (stack.length >= maxDepth) return this.#tooDeep(i + 1, stack.length + 1);
            stack.push(cls === OPEN_OBJECT ? IN_OBJECT : IN_ARRAY);
            state = cls === OPEN_OBJECT ? OBJECT_FIRST : ARRAY_FIRST;
          } else if (cls === STRING_START) {
            state = STRING;
            this.#afterString = AFTER;
          } else if (cls === OTHER) {
            state = TOKEN;
          } else if (cls === CLOSE_ARRAY && state === ARRAY_FIRST) {
            stack.pop();
            state = AFTER;
            if (stack.length === 0) return this.#done(i + 1);
          } else {
            return this.#error(i);
          }
          break;
        case OBJECT_FIRST:
        case KEY:
          if (cls === STRING_START) {
            state = STRING;
            this.#afterString = COLON;
          } else if (cls === CLOSE_OBJECT && state === OBJECT_FIRST) {
            stack.pop();
            state = AFTER;
            if (stack.length === 0) return this.#done(i + 1);
          } else {
            return this.#error(i);
          }
          break;
        case COLON:
          if (cls !== COLON_CLASS) return this.#error(i);
          state = VALUE;
          break;
        default: {
          // AFTER
          const top = stack[stack.length - 1];
          if (cls === COMMA) {
            state = top === IN_OBJECT ? KEY : VALUE;
          } else if (
            (cls === CLOSE_OBJECT && top === IN_OBJECT) ||
            (cls === CLOSE_ARRAY && top === IN_ARRAY)
          ) {
            stack.pop();
            if (stack.length === 0) return this.#done(i + 1);
          } else {
            return this.#error(i);
          }
        }
      }
      i++;
    }
    this.#state = state;
    this.end = i;
    return SCAN_MORE;
  }

  /**
   * Skips string content from `from`: returns the index just past the closing
   * quote, or -1 when the string goes on past `limit`. It jumps from quote to
   * quote with `indexOf`, counting the backslashes before each.
   */
  #skipString(buf: Buffer, from: number, limit: number): number {
    let i = from;
    if (this.#escaped) {
      this.#escaped = false;
      i++;
    }
    for (;;) {
      const q = indexOfBefore(buf, QUOTE, i, limit);
      if (q === -1) {
        this.#escaped = (countBackslashesBefore(buf, limit, i) & 1) === 1;
        return -1;
      }
      if ((countBackslashesBefore(buf, q, i) & 1) === 0) return q + 1;
      i = q + 1;
    }
  }

  /**
   * At `end`, just past an opening bracket at `depth`, one level too deep:
   * forgets the value's structure and starts skipping the rest of it.
   */
  #tooDeep(end: number, depth: number): ScanStatus {
    this.reset();
    this.#skipDepth = depth;
    this.end = end;
    return SCAN_TOO_DEEP;
  }

  /**
   * Skips the rest of a value that is too deep, keeping only its depth: it
   * ends where its brackets balance, or at a newline (where an ndjson writer
   * starts its next message).
   */
  #skip(buf: Buffer, from: number, limit: number): ScanStatus {
    let depth = this.#skipDepth;
    let i = from;
    while (i < limit) {
      if (this.#skipInString) {
        const end = this.#skipString(buf, i, limit);
        if (end === -1) {
          i = limit;
          break;
        }
        this.#skipInString = false;
        i = end;
        continue;
      }
      const c = buf[i]!;
      const cls = byteClass[c];
      i++;
      if (cls === OPEN_OBJECT || cls === OPEN_ARRAY) depth++;
      else if (cls === STRING_START) this.#skipInString = true;
      else if (((cls === CLOSE_OBJECT || cls === CLOSE_ARRAY) && --depth === 0) || c === NEWLINE) {
        this.reset();
        this.end = i;
        return SCAN_SKIPPED;
      }
    }
    this.#skipDepth = depth;
    this.end = i;
    return SCAN_MORE;
  }

  #done(end: number): ScanStatus {
    this.end = end;
    this.reset();
    return SCAN_DONE;
  }

  #error(at: number): ScanStatus {
    this.end = at;
    this.reset();
    return SCAN_ERROR;
  }
}

/** `buf.indexOf(byte, from)` limited to `[from, limit)`; -1 when absent there. */
function indexOfBefore(buf: Buffer, byte: number, from: number, limit: number): number {
  const at = buf.indexOf(byte, from);
  return at !== -1 && at < limit ? at : -1;
}

/** How many backslashes directly precede `at`, looking no further back than `floor`. */
function countBackslashesBefore(buf: Buffer, at: number, floor: number): number {
  let n = 0;
  for (let k = at - 1; k >= floor && buf[k] === BACKSLASH; k--) n++;
  return n;
}

/**
 * True when the JSON text in `buf[from, end)` nests containers deeper than
 * `maxDepth`: the check the fast paths make before `JSON.parse` sees a text
 * the scanner has not (parsing `[[[…` costs far more than its bytes). One
 * pass over the bytes; strings are skipped, and a text that closes more than
 * it opened stops the check (`JSON.parse` fails there without going deeper).
 * Only a text of at least `2 × maxDepth + 2` bytes can be too deep when valid,
 * so callers skip the check below that (an invalid shorter one fails
 * `JSON.parse` harmlessly, and the scanner then reports the depth).
 */
export function nestsDeeper(buf: Buffer, from: number, end: number, maxDepth: number): boolean {
  return wasmNestsDeeper(buf, from, end, maxDepth) ?? nestsDeeperInJs(buf, from, end, maxDepth);
}

/**
 * {@link nestsDeeper} in JavaScript: for texts longer than the WebAssembly
 * check takes (long strings are skipped with a native `indexOf` here), and
 * where WebAssembly is unavailable.
 */
export function nestsDeeperInJs(buf: Buffer, from: number, end: number, maxDepth: number): boolean {
  let depth = 0;
  for (let i = from; i < end; i++) {
    const cls = byteClass[buf[i]!]!;
    if (cls <= SPACE) continue;
    if (cls === STRING_START) {
      // Short strings byte by byte (most JSON-RPC strings are a few bytes); a
      // long one by jumping from quote to quote.
      const start = i + 1;
      const short = Math.min(end, start + SHORT_STRING);
      for (i = start; i < short; i++) {
        const c = buf[i];
        if (c === QUOTE) break;
        if (c === BACKSLASH) i++;
      }
      if (i < short) continue;
      i = endOfLongString(buf, start, i, end) - 1;
      if (i < 0) return false;
    } else if (cls === OPEN_OBJECT || cls === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if ((cls === CLOSE_OBJECT || cls === CLOSE_ARRAY) && --depth < 0) {
      return false;
    }
  }
  return false;
}

/**
 * The index just past the quote that closes the string whose content starts
 * at `start`, searching from `from`; -1 if it does not close before `end`.
 */
function endOfLongString(buf: Buffer, start: number, from: number, end: number): number {
  for (let i = from; ; ) {
    const q = indexOfBefore(buf, QUOTE, i, end);
    if (q === -1) return -1;
    if ((countBackslashesBefore(buf, q, start) & 1) === 0) return q + 1;
    i = q + 1;
  }
}
