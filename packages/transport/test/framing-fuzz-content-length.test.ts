import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentLength, type FramingErrorCode } from '../src/framing/index.js';
import {
  CaseCounter,
  type Chunking,
  checkInRounds,
  chunking,
  decode,
  depthOf,
  expectItems,
  formatting,
  type Item,
  jsonValue,
  nastyBytes,
  roundTrip,
  split,
  toText,
  Violation,
} from './helpers/fuzz.js';

/**
 * Property-based fuzzing of the content-length decoder (issue 7), with the
 * same contract checks as the ndjson fuzz (see `decode` in helpers/fuzz.ts).
 * Well over 100,000 cases in all; see the last test.
 */

const counter = new CaseCounter('content-length');
const TIMEOUT = 120_000;

/** A header block as LSP clients write it, in all the spellings the decoder must accept. */
const header = fc.record({
  before: fc.array(
    fc.constantFrom(
      'Content-Type: application/vscode-jsonrpc; charset=utf-8',
      'content-type: application/json',
      'Content-Type: a; charset="UTF-8"',
      'X-Trace: 1:2:3',
      'X-Empty:',
    ),
    { maxLength: 2 },
  ),
  name: fc.constantFrom('Content-Length', 'content-length', 'CONTENT-LENGTH', ' Content-length'),
  colon: fc.constantFrom(': ', ':', ':   ', ' : ', ':\t'),
  zeros: fc.constantFrom('', '', '0', '00'),
  trailing: fc.constantFrom('', ' ', '\t'),
  after: fc.array(fc.constantFrom('Content-Type: application/json; charset=utf8', 'X: y'), {
    maxLength: 1,
  }),
});
type Header = typeof header extends fc.Arbitrary<infer H> ? H : never;

/** The header block (without its `\r\n\r\n`) for a body of `length` bytes. */
function headerBlock(h: Header, length: number): string {
  const line = `${h.name}${h.colon}${h.zeros}${length}${h.trailing}`;
  return [...h.before, line, ...h.after].join('\r\n');
}

interface Frame {
  bytes: Buffer;
  headerSize: number;
  bodySize: number;
}

function frameOf(h: Header, body: Uint8Array): Frame {
  const block = headerBlock(h, body.length);
  return {
    bytes: Buffer.concat([Buffer.from(`${block}\r\n\r\n`), body]),
    headerSize: Buffer.byteLength(block),
    bodySize: body.length,
  };
}

const validFrame = fc.record({ header, value: jsonValue, indent: formatting });
type ValidFrame = { header: Header; value: unknown; indent: string | undefined };
const encode = (f: ValidFrame) => frameOf(f.header, Buffer.from(toText(f.value, f.indent)));
const messages = (frames: readonly ValidFrame[]): Item[] =>
  frames.map((f) => ({ m: roundTrip(f.value) }));

/** Messages up to the first frame over a limit, then that limit's fatal error. */
function cutAtFirst(items: Item[], sizes: number[], limit: number, code: FramingErrorCode): Item[] {
  const first = sizes.findIndex((size) => size > limit);
  return first === -1 ? items : [...items.slice(0, first), { e: code }];
}

describe('content-length fuzz: valid streams', () => {
  it(
    'decodes every frame intact and in order, however the stream is split (headers and UTF-8 too)',
    async () => {
      await checkInRounds(
        fc.property(
          fc.array(validFrame, { maxLength: 4 }),
          chunking,
          fc.constantFrom('default', 'exact-body', 'below-body', 'exact-header', 'below-header'),
          counter.count((frames: ValidFrame[], how: Chunking, limit: string) => {
            const encoded = frames.map(encode);
            const bytes = Buffer.concat(encoded.map((f) => f.bytes));
            const bodies = encoded.map((f) => f.bodySize);
            const headers = encoded.map((f) => f.headerSize);
            const largestBody = Math.max(0, ...bodies);
            const largestHeader = Math.max(0, ...headers);
            let expected = messages(frames);
            let options: { maxMessageSize?: number; maxHeaderSize?: number } | undefined;
            if (limit === 'exact-body' && largestBody > 0) {
              options = { maxMessageSize: largestBody };
            } else if (limit === 'below-body' && largestBody > 1) {
              options = { maxMessageSize: largestBody - 1 };
              expected = cutAtFirst(expected, bodies, largestBody - 1, 'MESSAGE_TOO_LARGE');
            } else if (limit === 'exact-header' && largestHeader > 0) {
              options = { maxHeaderSize: largestHeader };
            } else if (limit === 'below-header' && largestHeader > 1) {
              options = { maxHeaderSize: largestHeader - 1 };
              expected = cutAtFirst(expected, headers, largestHeader - 1, 'HEADER_TOO_LARGE');
            }
            expectItems(decode(contentLength, split(bytes, how), options), expected);
          }),
        ),
        25_000,
      );
    },
    TIMEOUT,
  );

  it(
    'reports a frame cut off anywhere (header, terminator, body) as TRUNCATED, after the complete ones',
    async () => {
      await checkInRounds(
        fc.property(
          fc.array(validFrame, { maxLength: 3 }),
          validFrame,
          fc.nat(),
          chunking,
          counter.count((frames: ValidFrame[], last: ValidFrame, keep: number, how: Chunking) => {
            const whole = encode(last).bytes;
            const prefix = whole.subarray(0, 1 + (keep % (whole.length - 1)));
            const bytes = Buffer.concat([...frames.map((f) => encode(f).bytes), prefix]);
            expectItems(decode(contentLength, split(bytes, how)), [
              ...messages(frames),
              { e: 'TRUNCATED' },
            ]);
          }),
        ),
        20_000,
      );
    },
    TIMEOUT,
  );
});

/** Header blocks the decoder must refuse, and the fatal error each one gets. */
const badHeader = fc.constantFrom<[string, FramingErrorCode]>(
  ['Content-Type: application/json', 'INVALID_HEADER'],
  ['Content-Length: 5\r\nbogus', 'INVALID_HEADER'],
  [': 5', 'INVALID_HEADER'],
  ['', 'INVALID_HEADER'],
  ['Content-Length: -1', 'INVALID_HEADER'],
  ['Content-Length: +1', 'INVALID_HEADER'],
  ['Content-Length: 1.0', 'INVALID_HEADER'],
  ['Content-Length: 0x10', 'INVALID_HEADER'],
  ['Content-Length: ', 'INVALID_HEADER'],
  ['Content-Length: 1 2', 'INVALID_HEADER'],
  ['Content-Length: 2\u00e9', 'INVALID_HEADER'],
  ['Content-Length\t2', 'INVALID_HEADER'],
  ['Content-Length: 1234567890123456', 'INVALID_HEADER'],
  [`Content-Length: ${'9'.repeat(4000)}`, 'INVALID_HEADER'],
  ['Content-Length: 999999999999999', 'MESSAGE_TOO_LARGE'],
  ['Content-Length: 16777217', 'MESSAGE_TOO_LARGE'],
  ['Content-Length: 2\r\nContent-Type: a; charset=latin1', 'INVALID_HEADER'],
  ['Content-Type: text/x; charset=utf-16\r\nContent-Length: 2', 'INVALID_HEADER'],
);

/** A body: valid JSON, or garbage with a correct length (the framing stays intact). */
const body = fc.oneof(
  jsonValue.map((v) => Buffer.from(JSON.stringify(v))),
  nastyBytes,
);

/** What the decoder must make of one body: the message, or one PARSE_ERROR. */
function bodyItem(bytes: Buffer): Item {
  try {
    return { m: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { e: 'PARSE_ERROR' };
  }
}

describe('content-length fuzz: hostile input', () => {
  it(
    'answers a garbage body with one PARSE_ERROR and reads on; a bad header is the defined fatal error',
    async () => {
      await checkInRounds(
        fc.property(
          fc.array(fc.record({ header, body }), { minLength: 1, maxLength: 4 }),
          fc.option(badHeader, { nil: undefined }),
          chunking,
          counter.count(
            (
              frames: Array<{ header: Header; body: Buffer }>,
              bad: [string, FramingErrorCode] | undefined,
              how: Chunking,
            ) => {
              const parts = frames.map((f) => frameOf(f.header, f.body).bytes);
              const expected = frames.map((f) => bodyItem(f.body));
              if (bad) {
                // After a fatal error nothing more comes out, not even good frames.
                parts.push(
                  Buffer.from(`${bad[0]}\r\n\r\n{}`),
                  Buffer.from('Content-Length: 2\r\n\r\n{}'),
                );
                expected.push({ e: bad[1] });
              }
              expectItems(decode(contentLength, split(Buffer.concat(parts), how)), expected);
            },
          ),
        ),
        15_000,
      );
    },
    TIMEOUT,
  );

  it(
    'keeps its contract on random garbage, with the same results however it is split',
    async () => {
      await checkInRounds(
        fc.property(
          nastyBytes,
          chunking,
          fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
          fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
          counter.count(
            (
              bytes: Buffer,
              how: Chunking,
              maxHeaderSize: number | undefined,
              maxMessageSize: number | undefined,
            ) => {
              const options = { maxHeaderSize, maxMessageSize };
              const whole = decode(contentLength, [bytes], options);
              expectItems(decode(contentLength, split(bytes, how), options), whole);
            },
          ),
        ),
        25_000,
      );
    },
    TIMEOUT,
  );
});

/** Header text with no `\r\n\r\n` in it: a CRLF is always followed by a letter. */
const endlessHeader = fc.string({
  unit: fc.constantFrom('a', 'Z', ':', ' ', '-', 'é', '\t', '\r\nX', '\n'),
  minLength: 1,
  maxLength: 40,
});

describe('content-length fuzz: memory stays within the limits', () => {
  it(
    'refuses a header block as soon as more than maxHeaderSize of it has arrived',
    async () => {
      await checkInRounds(
        fc.property(
          fc.array(validFrame, { maxLength: 2 }),
          endlessHeader,
          fc.integer({ min: 16, max: 256 }),
          chunking,
          counter.count((frames: ValidFrame[], pattern: string, max: number, how: Chunking) => {
            const fitting = frames.filter((f) => encode(f).headerSize <= max);
            const prefix = Buffer.concat(fitting.map((f) => encode(f).bytes));
            let text = pattern;
            while (Buffer.byteLength(text) < max + 8) text += pattern;
            const giant = Buffer.from(text);
            const items = decode(
              contentLength,
              split(Buffer.concat([prefix, giant]), how),
              { maxHeaderSize: max },
              (pushed, got) => {
                // The unfinished block may end with 3 bytes of its terminator; beyond that it is over.
                if (pushed - prefix.length > max + 3 && !got.some((i) => 'e' in i)) {
                  throw new Violation(`${pushed - prefix.length} header bytes held, limit ${max}`);
                }
              },
            );
            expectItems(items, [...messages(fitting), { e: 'HEADER_TOO_LARGE' }]);
          }),
        ),
        7_500,
      );
    },
    TIMEOUT,
  );

  it(
    'refuses a giant Content-Length from the header, before a byte of the body is held',
    async () => {
      await checkInRounds(
        fc.property(
          fc.array(validFrame, { maxLength: 2 }),
          header,
          fc.integer({ min: 1, max: 4096 }),
          fc.oneof(fc.integer({ min: 1, max: 1 << 20 }), fc.constant(999_999_999_999_999)),
          chunking,
          counter.count(
            (frames: ValidFrame[], h: Header, max: number, over: number, how: Chunking) => {
              const fitting = frames.filter((f) => encode(f).bodySize <= max);
              const prefix = Buffer.concat(fitting.map((f) => encode(f).bytes));
              const length = Math.min(max + over, 999_999_999_999_999);
              // No leading zeros here: more than 15 digits is an INVALID_HEADER instead.
              const head = Buffer.from(`${headerBlock({ ...h, zeros: '' }, length)}\r\n\r\n`);
              const bodyStart = Buffer.alloc(Math.min(length, 512), 0x20);
              const items = decode(
                contentLength,
                split(Buffer.concat([prefix, head, bodyStart]), how),
                { maxMessageSize: max },
                (pushed, got) => {
                  if (pushed > prefix.length + head.length && !got.some((i) => 'e' in i)) {
                    throw new Violation('body bytes were held for a message over the limit');
                  }
                },
              );
              expectItems(items, [...messages(fitting), { e: 'MESSAGE_TOO_LARGE' }]);
            },
          ),
        ),
        7_500,
      );
    },
    TIMEOUT,
  );
});

describe('content-length fuzz: deeply nested JSON', () => {
  it(
    'decodes deeply nested bodies intact, and reports unbalanced ones as PARSE_ERROR',
    async () => {
      await checkInRounds(
        fc.property(
          fc.integer({ min: 1, max: 20_000 }),
          fc.constantFrom('array', 'object', 'unbalanced'),
          header,
          chunking,
          counter.count((depth: number, kind: string, h: Header, how: Chunking) => {
            const open = kind === 'object' ? '{"a":'.repeat(depth) : '['.repeat(depth);
            const close = kind === 'object' ? '}'.repeat(depth) : ']'.repeat(depth);
            const text = kind === 'unbalanced' ? `${open}0${close.slice(1)}` : `${open}0${close}`;
            const next = frameOf(h, Buffer.from('{"next":1}')).bytes;
            const bytes = Buffer.concat([frameOf(h, Buffer.from(text)).bytes, next]);
            const items = decode(contentLength, split(bytes, how), { maxDepth: 100_000 });
            if (items.length !== 2) throw new Violation(`${items.length} results`);
            expectItems([items[1]!], [{ m: { next: 1 } }]);
            const first = items[0]!;
            if (kind === 'unbalanced') {
              expectItems([first], [{ e: 'PARSE_ERROR' }]);
            } else if (!('m' in first) || depthOf(first.m) !== depth) {
              throw new Violation('the nesting changed');
            }
          }),
        ),
        150,
      );
    },
    TIMEOUT,
  );

  it(
    'refuses a body nested deeper than maxDepth before parsing it, and decodes the next frame',
    async () => {
      await checkInRounds(
        fc.property(
          fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 1, max: 100 }),
          fc.constantFrom('array', 'object'),
          header,
          chunking,
          counter.count(
            (depth: number, maxDepth: number, kind: string, h: Header, how: Chunking) => {
              const open = kind === 'object' ? '{"a":'.repeat(depth) : '['.repeat(depth);
              const close = kind === 'object' ? '}'.repeat(depth) : ']'.repeat(depth);
              const text = `${open}"]}[{\\""${close}`;
              const next = frameOf(h, Buffer.from('{"next":1}')).bytes;
              const bytes = Buffer.concat([frameOf(h, Buffer.from(text)).bytes, next]);
              const items = decode(contentLength, split(bytes, how), { maxDepth });
              if (items.length !== 2) throw new Violation(`${items.length} results`);
              expectItems([items[1]!], [{ m: { next: 1 } }]);
              const first = items[0]!;
              if (depth > maxDepth) {
                expectItems([first], [{ e: 'MESSAGE_TOO_DEEP' }]);
              } else if (!('m' in first) || depthOf(first.m) !== depth) {
                throw new Violation('the nesting changed');
              }
            },
          ),
        ),
        3_000,
      );
    },
    TIMEOUT,
  );
});

describe('content-length fuzz: the count', () => {
  it('ran at least 100,000 generated cases', () => {
    console.log(counter.summary());
    expect(counter.cases).toBeGreaterThanOrEqual(100_000);
  });
});
