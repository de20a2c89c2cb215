import fc from 'fast-check';
import {
  type Codec,
  type DecoderOptions,
  FramingError,
  type FramingErrorCode,
} from '../../src/framing/index.js';

/**
 * Shared pieces of the codec fuzz tests (framing-fuzz-*.test.ts): a decoder
 * driver that checks the `Decoder` contract on every call, chunkings, nasty
 * JSON values and byte soup. Inputs are kept small so that the 100,000+ cases
 * per codec run in seconds.
 */

/** One decoder result: a message, or the code of an error. */
export type Item = { m: unknown } | { e: FramingErrorCode };

/** Whether each error code is fatal, as `FramingError` documents it. */
const FATAL: Record<FramingErrorCode, boolean> = {
  PARSE_ERROR: false,
  TRUNCATED: false,
  MESSAGE_TOO_DEEP: false,
  MESSAGE_TOO_LARGE: true,
  HEADER_TOO_LARGE: true,
  INVALID_HEADER: true,
};

/** A broken invariant: fast-check reports it with the counterexample. */
export class Violation extends Error {
  override name = 'Violation';
}

function checkError(error: unknown): FramingErrorCode {
  if (!(error instanceof FramingError)) {
    throw new Violation(`an error that is not a FramingError: ${String(error)}`);
  }
  const { code } = error;
  if (!(code in FATAL)) throw new Violation(`an undefined error code ${code}`);
  if (error.fatal !== FATAL[code]) throw new Violation(`${code} with fatal = ${error.fatal}`);
  if (typeof error.message !== 'string' || error.message === '') {
    throw new Violation(`${code} without a message`);
  }
  return code;
}

/** Called after each chunk is pushed and drained: bytes pushed so far, results so far. */
export type Observer = (pushed: number, items: readonly Item[]) => void;

/**
 * Feeds `chunks` to a fresh decoder, draining it after each, then ends it,
 * and returns every result. Throws a {@link Violation} when the decoder breaks
 * its contract: a result that is not a defined `FramingError`, a result after
 * a fatal error, more results than bytes (each result consumes at least one
 * byte; the end may add a `TRUNCATED`), or a result after the end. Anything
 * `push`, `next` or `end` throws propagates and fails the property too.
 */
export function decode(
  codec: Codec,
  chunks: readonly Uint8Array[],
  options?: DecoderOptions,
  observe?: Observer,
): Item[] {
  const decoder = codec.createDecoder(options);
  const items: Item[] = [];
  let fatal = false;
  let pushed = 0;
  const drain = () => {
    for (;;) {
      const result = decoder.next();
      if (result === undefined) return;
      if (fatal) throw new Violation('a result after a fatal error');
      if (items.length > pushed)
        throw new Violation(`${items.length + 1} results from ${pushed} bytes`);
      if (result.ok) {
        items.push({ m: result.message });
      } else {
        items.push({ e: checkError(result.error) });
        fatal = result.error.fatal;
      }
    }
  };
  for (const chunk of chunks) {
    decoder.push(chunk);
    pushed += chunk.length;
    drain();
    observe?.(pushed, items);
  }
  decoder.end();
  drain();
  if (decoder.next() !== undefined) throw new Violation('a result after the end was drained');
  return items;
}

/** Compares two result lists exactly (messages are plain JSON values). */
export function expectItems(actual: readonly Item[], expected: readonly Item[]): void {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) {
    throw new Violation(`decoded ${a.slice(0, 2000)}\n expected ${b.slice(0, 2000)}`);
  }
}

/** How to cut a byte stream into chunks. */
export interface Chunking {
  /** Cut positions, taken modulo the length plus one; empty chunks included. */
  cuts: number[];
  /** Instead of `cuts`: chunks of this many bytes (1 = byte by byte). */
  every: number;
  /** Pass every other chunk as a plain `Uint8Array` rather than a `Buffer`. */
  plain: boolean;
}

export const chunking: fc.Arbitrary<Chunking> = fc.record({
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
  every: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 5 })),
  plain: fc.boolean(),
});

/** `bytes` cut as `how` says. */
export function split(bytes: Buffer, how: Chunking): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  if (how.every > 0) {
    for (let i = 0; i < bytes.length; i += how.every) chunks.push(bytes.subarray(i, i + how.every));
  } else {
    const cuts = how.cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
    let from = 0;
    for (const at of cuts) {
      chunks.push(bytes.subarray(from, at));
      from = at;
    }
    chunks.push(bytes.subarray(from));
  }
  if (!how.plain) return chunks;
  return chunks.map((c, i) => (i % 2 === 1 ? new Uint8Array(c) : c));
}

/**
 * Characters for strings and keys: multi-byte UTF-8 of every length (so cuts
 * land inside characters), what JSON must escape, brackets and newlines
 * inside strings, a lone surrogate.
 */
const awkwardChar = fc.constantFrom(
  'a',
  'Z',
  ' ',
  'é',
  'ß',
  '日',
  '€',
  '𝄞',
  '😀',
  '"',
  '\\',
  '/',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u001f',
  '\u2028',
  '\ufeff',
  '\ud800',
);
export const awkwardString = fc.string({ unit: awkwardChar, maxLength: 8 });

const leaf = fc.oneof(
  { weight: 3, arbitrary: awkwardString },
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(true, false, null, 0, -1, 1e300, 5e-324),
);

/** A JSON value: nested arrays and objects of awkward strings, numbers and literals. */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(awkwardString, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** An array or object, as JSON-RPC messages are. */
export const jsonContainer: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(jsonValue, { maxLength: 4 }),
  fc.dictionary(awkwardString, jsonValue, { maxKeys: 4 }),
);

/** The value as it comes back from JSON. */
export function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** JSON text of `value`: compact, or indented (with spaces, tabs or CRLFs). */
export const formatting = fc.constantFrom<string | undefined>(
  undefined,
  undefined,
  ' ',
  '\t',
  '\r\n',
);

export function toText(value: unknown, indent: string | undefined): string {
  return JSON.stringify(value, null, indent);
}

const b = (...bytes: number[]) => Uint8Array.from(bytes);
const t = (text: string) => new Uint8Array(Buffer.from(text));

/** Invalid UTF-8: lone continuation bytes, overlongs, surrogates, truncated sequences, > U+10FFFF. */
export const invalidUtf8: fc.Arbitrary<Uint8Array> = fc.constantFrom(
  b(0xff),
  b(0xfe),
  b(0x80),
  b(0xbf),
  b(0xc0, 0x80),
  b(0xc1, 0xbf),
  b(0xe0, 0x80, 0x80),
  b(0xed, 0xa0, 0x80),
  b(0xe2, 0x82),
  b(0xf0, 0x9f, 0x98),
  b(0xf4, 0x90, 0x80, 0x80),
  b(0xf8, 0x88, 0x80, 0x80, 0x80),
  b(0xc3),
);

/** Pieces of hostile input: JSON fragments, header fragments, invalid UTF-8, random bytes. */
export const nastyPiece: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...'{}[]":,\\ \n\r\t0123456789-.eE+tfnul'.split('').map(t)),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      t('{"jsonrpc":"2.0","id":1,"method":"echo","params":['),
      t('{"a":1}\n'),
      t('[1,2]'),
      t('"str"'),
      t('"\\u00e9'),
      t('"\\u'),
      t('\\"'),
      t('true'),
      t('nul'),
      t('1e999'),
      t('-0'),
      t('123456789012345678901234567890'),
      t('Content-Length: '),
      t('content-length:'),
      t('Content-Length: 2\r\n\r\n'),
      t('Content-Length: 99999999999999999999\r\n\r\n'),
      t('Content-Length: 999999999999999\r\n\r\n'),
      t('Content-Type: a/b; charset=latin1\r\n'),
      t(': x\r\n'),
      t('\r\n\r\n'),
      t('\r\n'),
      t('X-Y: z\r\n'),
      t('é日𝄞'),
      b(0x00),
      b(0x01),
      b(0x1b),
      b(0x7f),
    ),
  },
  { weight: 2, arbitrary: invalidUtf8 },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 6 }) },
);

/** Byte soup made of {@link nastyPiece}s. */
export const nastyBytes: fc.Arbitrary<Buffer> = fc
  .array(nastyPiece, { maxLength: 24 })
  .map((pieces) => Buffer.concat(pieces));

/** Cases per round of {@link checkInRounds}: a fraction of a second each, even on a slow machine. */
const ROUND = 500;

/**
 * Checks `property` on `numRuns` generated cases, in rounds with a turn of
 * the event loop between them. A fuzz test is synchronous, and vitest's
 * worker must read the answer to each progress report it sends within 60 s:
 * tens of thousands of cases in one `fc.assert` blocked it longer than that
 * on a slow machine, and the run failed ("Timeout calling onTaskUpdate")
 * with every test passing. Each round draws its own seed, which fast-check
 * prints with any counterexample.
 */
export async function checkInRounds<Ts extends [unknown, ...unknown[]]>(
  property: fc.IProperty<Ts>,
  numRuns: number,
): Promise<void> {
  for (let done = 0; done < numRuns; done += ROUND) {
    fc.assert(property, { numRuns: Math.min(ROUND, numRuns - done) });
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Counts generated cases and the time they took, for the summary line. */
export class CaseCounter {
  cases = 0;
  readonly #start = performance.now();

  constructor(readonly codec: string) {}

  /**
   * Wraps a property predicate so that each run is counted. It runs without
   * stack traces: hostile input makes `JSON.parse` throw and the decoder
   * create a `FramingError` per bad value, and capturing their stacks would
   * triple the time the fuzzing takes. Violations say what broke in their message.
   */
  count<A extends unknown[]>(predicate: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      this.cases++;
      const { stackTraceLimit } = Error;
      Error.stackTraceLimit = 0;
      try {
        predicate(...args);
      } finally {
        Error.stackTraceLimit = stackTraceLimit;
      }
    };
  }

  summary(): string {
    const ms = Math.round(performance.now() - this.#start);
    return `framing fuzz (${this.codec}): ${this.cases} generated cases in ${ms} ms`;
  }
}

/** Depth of nesting of a parsed value, walked without recursion. */
export function depthOf(value: unknown): number {
  let depth = 0;
  let node: unknown = value;
  while (typeof node === 'object' && node !== null) {
    depth++;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    if (children.length !== 1) break;
    node = children[0];
  }
  return depth;
}
