import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ndjson } from '../src/framing/index.js';
import {
  awkwardString,
  CaseCounter,
  type Chunking,
  checkInRounds,
  chunking,
  decode,
  depthOf,
  expectItems,
  formatting,
  type Item,
  invalidUtf8,
  jsonContainer,
  jsonValue,
  nastyBytes,
  roundTrip,
  split,
  toText,
  Violation,
} from './helpers/fuzz.js';

/**
 * Property-based fuzzing of the ndjson decoder (issue 7). Every property runs
 * the decoder through `decode`, which fails on any throw out of
 * push/next/end, any error that is not a defined `FramingError`, and any
 * result after a fatal one. Well over 100,000 cases in all; see the last test.
 */

const counter = new CaseCounter('ndjson');
const TIMEOUT = 120_000;

/** Numbers and literals: they end only at whitespace or a bracket, so need a separator. */
const isBare = (value: unknown) =>
  value === null || typeof value === 'number' || typeof value === 'boolean';

const separator = fc.constantFrom('\n', '', ' ', '\r\n', '\n\n', '\t', ' \r\n ');
const entry = fc.record({ value: jsonValue, indent: formatting, separator });
type Entry = { value: unknown; indent: string | undefined; separator: string };

/** The entries as one stream: each value's text and the whitespace after it. */
function streamOf(entries: readonly Entry[], lead = ''): { bytes: Buffer; sizes: number[] } {
  const sizes: number[] = [];
  const text = entries
    .map((e) => {
      const value = toText(e.value, e.indent);
      sizes.push(Buffer.byteLength(value));
      return value + (e.separator === '' && isBare(e.value) ? '\n' : e.separator);
    })
    .join('');
  return { bytes: Buffer.from(lead + text), sizes };
}

const messages = (entries: readonly Entry[]): Item[] =>
  entries.map((e) => ({ m: roundTrip(e.value) }));

describe('ndjson fuzz: valid streams', () => {
  it(
    'decodes every message intact and in order, however the stream is split',
    async () => {
      await checkInRounds(
        fc.property(
          fc.array(entry, { maxLength: 4 }),
          fc.constantFrom('', '\n', ' \t'),
          chunking,
          fc.constantFrom('default', 'exact', 'below'),
          counter.count((entries: Entry[], lead: string, how: Chunking, limit: string) => {
            const { bytes, sizes } = streamOf(entries, lead);
            const largest = Math.max(0, ...sizes);
            let expected = messages(entries);
            let maxMessageSize: number | undefined;
            if (limit === 'exact' && largest > 0) {
              // Exactly the largest message: every one fits.
              maxMessageSize = largest;
            } else if (limit === 'below' && largest > 1) {
              // One byte short for the largest: those before it, then the fatal error.
              maxMessageSize = largest - 1;
              const first = sizes.findIndex((size) => size > largest - 1);
              expected = [...expected.slice(0, first), { e: 'MESSAGE_TOO_LARGE' }];
            }
            const options = maxMessageSize === undefined ? undefined : { maxMessageSize };
            expectItems(decode(ndjson, split(bytes, how), options), expected);
          }),
        ),
        25_000,
      );
    },
    TIMEOUT,
  );

  it(
    'reports a message cut off by the end of input as TRUNCATED, after the complete ones',
    async () => {
      await checkInRounds(
        fc.property(
          fc.array(entry, { maxLength: 4 }),
          fc.oneof(jsonContainer, awkwardString),
          formatting,
          fc.nat(),
          chunking,
          counter.count(
            (
              entries: Entry[],
              last: unknown,
              indent: string | undefined,
              keep: number,
              how: Chunking,
            ) => {
              const text = Buffer.from(toText(last, indent));
              // A strict, non-empty prefix: cut anywhere, even inside a character.
              const prefix = text.subarray(0, 1 + (keep % (text.length - 1)));
              const { bytes } = streamOf(entries);
              const chunks = split(Buffer.concat([bytes, prefix]), how);
              expectItems(decode(ndjson, chunks), [...messages(entries), { e: 'TRUNCATED' }]);
            },
          ),
        ),
        20_000,
      );
    },
    TIMEOUT,
  );
});

// Stray text on a line: bare tokens with no `{`, `[`, `"` or whitespace in them.
const t = (text: string) => new Uint8Array(Buffer.from(text));
const tokenByte = fc
  .integer({ min: 0, max: 255 })
  .filter((c) => ![0x20, 0x09, 0x0a, 0x0d, 0x22, 0x5b, 0x7b].includes(c))
  .map((c) => Uint8Array.of(c));
const bareToken: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constantFrom(
    ...[
      'true',
      'false',
      'null',
      'nul',
      '1e999',
      '-0',
      '0.5',
      '01',
      '1.',
      '.5',
      'Infinity',
      'NaN',
      '-',
      '+1',
      '1e',
      '0x1f',
      '123456789012345678901234567890',
      '}',
      ']',
      ',',
      ':',
      '1,2',
      'a:b',
      '\\',
      'tru\u00e9',
    ].map(t),
  ),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...'0123456789-+.eEtrufalsn}],:\\/#'.split('').map(t)),
        invalidUtf8,
        tokenByte,
      ),
      {
        minLength: 1,
        maxLength: 6,
      },
    )
    .map((pieces) => new Uint8Array(Buffer.concat(pieces))),
);
const space = fc.constantFrom(' ', '\t', '\r', '  ');
const gap = fc.constantFrom('', ' ', '\t');
const line = fc.record({
  head: fc.array(fc.record({ token: bareToken, space }), { maxLength: 3 }),
  body: fc.option(
    fc.record({
      before: gap,
      message: jsonContainer,
      indent: formatting,
      after: gap,
      tail: fc.array(fc.record({ token: bareToken, space }), { maxLength: 2 }),
    }),
    { nil: undefined },
  ),
  eol: fc.constantFrom('\n', '\r\n'),
});
type Line = typeof line extends fc.Arbitrary<infer L> ? L : never;

/** What the decoder must make of one bare token on its own. */
function tokenItem(token: Uint8Array): Item {
  try {
    return { m: JSON.parse(Buffer.from(token).toString('utf8')) };
  } catch {
    return { e: 'PARSE_ERROR' };
  }
}

/**
 * The model of resynchronisation: tokens are decoded one by one until a bad
 * one, which is one PARSE_ERROR; the rest of the line is skipped up to the
 * next `{` or `[` (a message) or the end of the line.
 */
function lineModel(l: Line): { bytes: Buffer; items: Item[] } {
  const parts: Uint8Array[] = [];
  const items: Item[] = [];
  let skipping = false;
  const tokens = (list: Array<{ token: Uint8Array; space: string }>) => {
    list.forEach(({ token, space }, i) => {
      if (i > 0) parts.push(t(space));
      parts.push(token);
      if (skipping) return;
      const item = tokenItem(token);
      items.push(item);
      skipping = 'e' in item;
    });
  };
  tokens(l.head);
  if (l.body) {
    parts.push(t(l.body.before), t(toText(l.body.message, l.body.indent)), t(l.body.after));
    skipping = false;
    items.push({ m: roundTrip(l.body.message) });
    tokens(l.body.tail);
  }
  parts.push(t(l.eol));
  return { bytes: Buffer.concat(parts), items };
}

describe('ndjson fuzz: hostile input', () => {
  it(
    'reports stray tokens and invalid UTF-8 as PARSE_ERRORs and resyncs at the next message',
    async () => {
      await checkInRounds(
        fc.property(
          fc.array(line, { minLength: 1, maxLength: 3 }),
          chunking,
          counter.count((lines: Line[], how: Chunking) => {
            const models = lines.map(lineModel);
            const bytes = Buffer.concat(models.map((m) => m.bytes));
            expectItems(
              decode(ndjson, split(bytes, how)),
              models.flatMap((m) => m.items),
            );
          }),
        ),
        10_000,
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
          fc.option(fc.integer({ min: 1, max: 48 }), { nil: undefined }),
          counter.count((bytes: Buffer, how: Chunking, maxMessageSize: number | undefined) => {
            const options = maxMessageSize === undefined ? undefined : { maxMessageSize };
            const whole = decode(ndjson, [bytes], options);
            expectItems(decode(ndjson, split(bytes, how), options), whole);
          }),
        ),
        30_000,
      );
    },
    TIMEOUT,
  );
});

/** Giant messages that never end: each must be refused before more than the limit is held. */
const giant = fc.oneof(
  fc.constant((n: number) => `{"k":"${'x'.repeat(n)}`),
  fc.constant((n: number) => `[${'"é",'.repeat(n)}`),
  fc.constant((n: number) => '['.repeat(n)),
  fc.constant((n: number) => '{"a":'.repeat(n)),
  fc.constant((n: number) => '9'.repeat(n)),
  fc.constant((n: number) => `"${'\\\\'.repeat(n)}`),
);

describe('ndjson fuzz: memory stays within the limit', () => {
  it(
    'refuses a message as soon as more than maxMessageSize of it has arrived',
    async () => {
      await checkInRounds(
        fc.property(
          fc.array(entry, { maxLength: 3 }),
          giant,
          fc.integer({ min: 16, max: 256 }),
          fc.nat({ max: 64 }),
          chunking,
          counter.count(
            (
              entries: Entry[],
              make: (n: number) => string,
              max: number,
              extra: number,
              how: Chunking,
            ) => {
              const fitting = entries.filter(
                (e) => Buffer.byteLength(toText(e.value, e.indent)) <= max,
              );
              const { bytes: before } = streamOf(fitting);
              const prefix = Buffer.concat([before, Buffer.from('\n')]);
              const huge = Buffer.from(make(max + 1 + extra)).subarray(0, max + 1 + extra);
              const items = decode(
                ndjson,
                split(Buffer.concat([prefix, huge]), how),
                // The depth limit has its own property below; here only size counts.
                { maxMessageSize: max, maxDepth: Number.POSITIVE_INFINITY },
                (pushed, got) => {
                  // Bytes of the giant message pushed so far: once over the limit, it must be refused.
                  if (pushed - prefix.length > max && !got.some((i) => 'e' in i)) {
                    throw new Violation(
                      `${pushed - prefix.length} bytes of one message held, limit ${max}`,
                    );
                  }
                },
              );
              expectItems(items, [...messages(fitting), { e: 'MESSAGE_TOO_LARGE' }]);
            },
          ),
        ),
        15_000,
      );
    },
    TIMEOUT,
  );
});

describe('ndjson fuzz: deeply nested JSON', () => {
  it(
    'decodes deep nesting intact, and reports it unbalanced or cut off',
    async () => {
      await checkInRounds(
        fc.property(
          fc.integer({ min: 1, max: 20_000 }),
          fc.constantFrom('array', 'object', 'unclosed', 'wrong-closer'),
          chunking,
          counter.count((depth: number, kind: string, how: Chunking) => {
            const open = kind === 'object' ? '{"a":'.repeat(depth) : '['.repeat(depth);
            const close = kind === 'object' ? '}'.repeat(depth) : ']'.repeat(depth);
            let text: string;
            let expected: Item[];
            if (kind === 'unclosed') {
              text = `${open}1`;
              expected = [{ e: 'TRUNCATED' }];
            } else if (kind === 'wrong-closer') {
              text = `${open}}${close}\n{"next":1}\n`;
              expected = [{ e: 'PARSE_ERROR' }, { m: { next: 1 } }];
            } else {
              text = `${open}0${close}\n`;
              expected = [];
            }
            const items = decode(ndjson, split(Buffer.from(text), how), { maxDepth: 100_000 });
            if (expected.length > 0) {
              expectItems(items, expected);
            } else {
              if (items.length !== 1 || !('m' in items[0]!)) throw new Violation('no message');
              // Arrays nest `depth` deep around 0; objects `depth` deep.
              if (depthOf(items[0].m) !== depth) throw new Violation('the nesting changed');
            }
          }),
        ),
        150,
      );
    },
    TIMEOUT,
  );

  it(
    'refuses a value nested deeper than maxDepth, skips it without keeping it, and decodes what follows',
    async () => {
      await checkInRounds(
        fc.property(
          fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 1, max: 100 }),
          fc.constantFrom('array', 'object', 'unclosed-line'),
          chunking,
          counter.count((depth: number, maxDepth: number, kind: string, how: Chunking) => {
            const open = kind === 'object' ? '{"a":'.repeat(depth) : '['.repeat(depth);
            const close = kind === 'object' ? '}'.repeat(depth) : ']'.repeat(depth);
            const value = kind === 'unclosed-line' ? open : `${open}"]}[{"${close}`;
            if (kind === 'unclosed-line' && depth <= maxDepth) return;
            const text = `${value}\n{"next":1}\n`;
            const items = decode(ndjson, split(Buffer.from(text), how), { maxDepth });
            if (depth > maxDepth) {
              expectItems(items, [{ e: 'MESSAGE_TOO_DEEP' }, { m: { next: 1 } }]);
            } else {
              if (items.length !== 2 || !('m' in items[0]!)) throw new Violation('no message');
              if (depthOf(items[0].m) !== depth) throw new Violation('the nesting changed');
              expectItems([items[1]!], [{ m: { next: 1 } }]);
            }
          }),
        ),
        3_000,
      );
    },
    TIMEOUT,
  );
});

describe('ndjson fuzz: the count', () => {
  it('ran at least 100,000 generated cases', () => {
    console.log(counter.summary());
    expect(counter.cases).toBeGreaterThanOrEqual(100_000);
  });
});
