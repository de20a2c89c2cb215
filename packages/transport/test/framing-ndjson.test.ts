import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MESSAGE_SIZE, ndjson } from '../src/framing/index.js';
import { cut, decodeAll, prng, randomCuts, randomValue } from './helpers/framing.js';

const parseError = { error: 'PARSE_ERROR', fatal: false };

describe('ndjson decoder', () => {
  it('reads newline-delimited messages, skipping blank lines and CRLF', () => {
    expect(decodeAll(ndjson, ['{"a":1}\n\n{"b":2}\r\n  [3]\n'])).toEqual([{ a: 1 }, { b: 2 }, [3]]);
  });

  it('reads values concatenated with or without whitespace, as web3 and go-ethereum do', () => {
    const input = '{"a":1}{"b":[1,{"c":"}"}]}[2] "s\\"}" 4 true\tnull{"d":{}}';
    expect(decodeAll(ndjson, [input])).toEqual([
      { a: 1 },
      { b: [1, { c: '}' }] },
      [2],
      's"}',
      4,
      true,
      null,
      { d: {} },
    ]);
  });

  it('reads a value spread over several lines', () => {
    expect(decodeAll(ndjson, ['{\n  "a": [\n    1,\n    2\n  ]\n}\n{"b":1}\n'])).toEqual([
      { a: [1, 2] },
      { b: 1 },
    ]);
  });

  it('gives the same messages however the bytes are split, keeping split UTF-8 intact', () => {
    const text =
      '{"s":"héllo 𝄞 日本 \\" \\\\","n":[1,-2.5e3]}{"t":"\\\\"}\n[{"u":"\\u00e9"}]  "x\\\\\\"y" 7\n{\n"p":true}\n';
    const bytes = Buffer.from(text);
    const whole = decodeAll(ndjson, [bytes]);
    expect(whole).toEqual([
      { s: 'héllo 𝄞 日本 " \\', n: [1, -2500] },
      { t: '\\' },
      [{ u: 'é' }],
      'x\\"y',
      7,
      { p: true },
    ]);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j += 5) {
        expect(decodeAll(ndjson, cut(bytes, [i, j]))).toEqual(whole);
      }
    }
    expect(
      decodeAll(
        ndjson,
        [...bytes].map((b) => Uint8Array.of(b)),
      ),
    ).toEqual(whole);
  });

  it('decodes random values, randomly separated and randomly chunked', () => {
    const random = prng(7);
    const separators = ['\n', '', ' ', '\r\n', '\n\n', '\t'];
    for (let round = 0; round < 200; round++) {
      const values = Array.from({ length: 1 + Math.floor(random() * 6) }, () => {
        const v =
          random() < 0.5
            ? { jsonrpc: '2.0', id: round, params: randomValue(random) }
            : [randomValue(random)];
        return v;
      });
      const text = values
        .map((v) => JSON.stringify(v) + separators[Math.floor(random() * separators.length)])
        .join('');
      const bytes = Buffer.from(text);
      const expected = values.map((v) => JSON.parse(JSON.stringify(v)));
      expect(decodeAll(ndjson, cut(bytes, randomCuts(random, bytes.length, 4)))).toEqual(expected);
    }
  });

  it('reports unparsable JSON as one non-fatal error and carries on with the next message', () => {
    expect(decodeAll(ndjson, ['{"a":}\n{"ok":1}\n'])).toEqual([parseError, { ok: 1 }]);
    expect(decodeAll(ndjson, ['{"a":01}{"ok":2}'])).toEqual([parseError, { ok: 2 }]);
    expect(decodeAll(ndjson, ['{"a":[1,}]}\n[1]'])).toEqual([parseError, [1]]);
    expect(decodeAll(ndjson, ['{\'a\':1}\n{"ok":3}\n'])).toEqual([parseError, { ok: 3 }]);
  });

  it('resyncs at the next message when a message is cut short', () => {
    const cutShort =
      '{"jsonrpc":"2.0","id":1,"method":"a"\n{"jsonrpc":"2.0","id":2,"method":"b"}\n';
    expect(decodeAll(ndjson, [cutShort])).toEqual([
      parseError,
      { jsonrpc: '2.0', id: 2, method: 'b' },
    ]);
    expect(decodeAll(ndjson, ['{"params":{"x":1}{"id":3}'])).toEqual([parseError, { id: 3 }]);
  });

  it('reports stray text at the top level once per token', () => {
    expect(decodeAll(ndjson, ['hello {"a":1} }}} [2]'])).toEqual([
      parseError,
      { a: 1 },
      parseError,
      [2],
    ]);
  });

  it('reports a message cut off by the end of the stream as truncated', () => {
    expect(decodeAll(ndjson, ['{"a":1}\n{"b":', '[1,2'])).toEqual([
      { a: 1 },
      { error: 'TRUNCATED', fatal: false },
    ]);
    expect(decodeAll(ndjson, ['"open string'])).toEqual([{ error: 'TRUNCATED', fatal: false }]);
  });

  it('completes a bare top-level value at the end of the stream', () => {
    expect(decodeAll(ndjson, ['1 2', '3'])).toEqual([1, 23]);
  });

  it('accepts a message of exactly the size limit and refuses a bigger one, fatally', () => {
    const message = JSON.stringify({ pad: 'x'.repeat(100) });
    const max = Buffer.byteLength(message);
    expect(decodeAll(ndjson, [`${message}\n`], { maxMessageSize: max })).toEqual([
      JSON.parse(message),
    ]);
    expect(decodeAll(ndjson, [`${message}\n${message}`], { maxMessageSize: max - 1 })).toEqual([
      { error: 'MESSAGE_TOO_LARGE', fatal: true },
    ]);
  });

  it('accepts a bare value of exactly the size limit, whatever follows it and however it is split', () => {
    // A number or literal ends only at the byte after it, one past the limit.
    for (const text of ['true\n', 'true ', 'true[1]', '1234 5678\n', '1234']) {
      const bytes = Buffer.from(text);
      const whole = decodeAll(ndjson, [bytes], { maxMessageSize: 4 });
      expect(whole).not.toContainEqual({ error: 'MESSAGE_TOO_LARGE', fatal: true });
      for (let i = 0; i <= bytes.length; i++) {
        expect(decodeAll(ndjson, cut(bytes, [i]), { maxMessageSize: 4 })).toEqual(whole);
      }
    }
    expect(decodeAll(ndjson, ['1234 5678\n'], { maxMessageSize: 4 })).toEqual([1234, 5678]);
    expect(decodeAll(ndjson, ['12345 1\n'], { maxMessageSize: 4 })).toEqual([
      { error: 'MESSAGE_TOO_LARGE', fatal: true },
    ]);
    expect(decodeAll(ndjson, ['[123]\n'], { maxMessageSize: 4 })).toEqual([
      { error: 'MESSAGE_TOO_LARGE', fatal: true },
    ]);
  });

  it('refuses an oversized message as soon as its size passes the limit, before it ends', () => {
    const decoder = ndjson.createDecoder({ maxMessageSize: 1000 });
    decoder.push(Buffer.from('{"a":"'));
    decoder.push(Buffer.from('x'.repeat(990)));
    expect(decoder.next()).toBeUndefined();
    decoder.push(Buffer.from('x'.repeat(10)));
    const result = decoder.next();
    expect(result?.ok).toBe(false);
    expect(result?.ok === false && result.error.code).toBe('MESSAGE_TOO_LARGE');
    decoder.push(Buffer.from('"}\n{"b":1}\n'));
    expect(decoder.next()).toBeUndefined();
  });

  it('counts concatenated values separately against the size limit', () => {
    const one = JSON.stringify({ v: 'y'.repeat(50) });
    const max = Buffer.byteLength(one);
    expect(decodeAll(ndjson, [`${one.repeat(5)}\n`], { maxMessageSize: max })).toHaveLength(5);
  });

  it('has a 16 MiB default limit', () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(16 * 1024 * 1024);
    const big = `{"a":"${'z'.repeat(DEFAULT_MAX_MESSAGE_SIZE)}"}`;
    expect(decodeAll(ndjson, [big])).toEqual([{ error: 'MESSAGE_TOO_LARGE', fatal: true }]);
  });

  it('keeps undecoded messages queued when the reader stops pulling', () => {
    const decoder = ndjson.createDecoder();
    decoder.push(Buffer.from('{"n":1}\n{"n":2}\n{"n"'));
    expect(decoder.next()).toEqual({ ok: true, message: { n: 1 } });
    decoder.push(Buffer.from(':3}\n'));
    decoder.push(Buffer.from('{"n":4}'));
    const rest = [decoder.next(), decoder.next(), decoder.next(), decoder.next()];
    expect(rest).toEqual([
      { ok: true, message: { n: 2 } },
      { ok: true, message: { n: 3 } },
      { ok: true, message: { n: 4 } },
      undefined,
    ]);
  });

  it('decodes a message split into many chunks, joined once it is complete', () => {
    const value = { result: Array.from({ length: 20000 }, (_, i) => `0x${i.toString(16)}é`) };
    const bytes = Buffer.from(JSON.stringify(value));
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096));
    expect(decodeAll(ndjson, chunks)).toEqual([value]);
  });
});

describe('ndjson encoder', () => {
  it('writes compact one-line JSON followed by a newline', () => {
    expect(ndjson.encode({ a: [1, 2], s: 'line1\nline2' })).toBe(
      '{"a":[1,2],"s":"line1\\nline2"}\n',
    );
  });

  it('round-trips through its own decoder', () => {
    const messages = [{ jsonrpc: '2.0', id: 'é', result: { x: [null, true] } }, [1], 'str'];
    expect(decodeAll(ndjson, [messages.map((m) => ndjson.encode(m)).join('')])).toEqual(messages);
  });

  it('throws a TypeError for what JSON cannot represent', () => {
    expect(() => ndjson.encode(undefined)).toThrow(TypeError);
    expect(() => ndjson.encode({ n: 1n })).toThrow(TypeError);
  });
  it('frames JSON text as encode frames the message it is the text of', () => {
    const random = prng(7);
    for (let k = 0; k < 200; k++) {
      const value = randomValue(random);
      expect(ndjson.frame?.(JSON.stringify(value))).toBe(ndjson.encode(value));
    }
  });
});
