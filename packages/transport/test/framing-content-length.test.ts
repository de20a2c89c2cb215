import { describe, expect, it } from 'vitest';
import { contentLength, DEFAULT_MAX_HEADER_SIZE } from '../src/framing/index.js';
import { cut, decodeAll, prng, randomCuts, randomValue } from './helpers/framing.js';

const frame = (body: string, headers = '') =>
  `${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('content-length decoder', () => {
  it('reads frames, with or without a Content-Type header, names in any case', () => {
    const input =
      frame('{"a":1}') +
      frame('[2]', 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n') +
      'content-length: 2\r\ncontent-type: application/json\r\n\r\n{}';
    expect(decodeAll(contentLength, [input])).toEqual([{ a: 1 }, [2], {}]);
  });

  it('counts the length in bytes, not characters, and keeps split UTF-8 intact', () => {
    const bytes = Buffer.from(frame('{"s":"héllo 𝄞 日本"}') + frame('"\\r\\n\\r\\n"'));
    const whole = decodeAll(contentLength, [bytes]);
    expect(whole).toEqual([{ s: 'héllo 𝄞 日本' }, '\r\n\r\n']);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j += 3) {
        expect(decodeAll(contentLength, cut(bytes, [i, j]))).toEqual(whole);
      }
    }
    expect(
      decodeAll(
        contentLength,
        [...bytes].map((b) => Uint8Array.of(b)),
      ),
    ).toEqual(whole);
  });

  it('decodes random messages, randomly chunked', () => {
    const random = prng(11);
    for (let round = 0; round < 100; round++) {
      const values = Array.from({ length: 1 + Math.floor(random() * 5) }, () => ({
        id: round,
        params: randomValue(random),
      }));
      const bytes = Buffer.from(values.map((v) => contentLength.encode(v)).join(''));
      expect(decodeAll(contentLength, cut(bytes, randomCuts(random, bytes.length, 5)))).toEqual(
        values.map((v) => JSON.parse(JSON.stringify(v))),
      );
    }
  });

  it('reports an unparsable body as one non-fatal error and reads the next frame', () => {
    expect(decodeAll(contentLength, [frame('{x}') + frame('{"ok":1}')])).toEqual([
      { error: 'PARSE_ERROR', fatal: false },
      { ok: 1 },
    ]);
  });

  it('answers an empty body at once, with one PARSE_ERROR, even when no byte follows it', () => {
    const decoder = contentLength.createDecoder();
    decoder.push(Buffer.from('Content-Length: 0\r\n\r\n'));
    const result = decoder.next();
    expect(result?.ok === false && result.error.code).toBe('PARSE_ERROR');
    expect(decoder.next()).toBeUndefined();
    expect(decodeAll(contentLength, ['Content-Length: 0\r\n\r\n'])).toEqual([
      { error: 'PARSE_ERROR', fatal: false },
    ]);
    expect(decodeAll(contentLength, [frame(''), frame('[1]')])).toEqual([
      { error: 'PARSE_ERROR', fatal: false },
      [1],
    ]);
  });

  it('refuses a Content-Length over the limit from the header alone, before any body', () => {
    const decoder = contentLength.createDecoder({ maxMessageSize: 1024 });
    decoder.push(Buffer.from('Content-Length: 9999999999\r\n\r\n'));
    const result = decoder.next();
    expect(result?.ok === false && result.error.code).toBe('MESSAGE_TOO_LARGE');
    expect(result?.ok === false && result.error.fatal).toBe(true);
    decoder.push(Buffer.from(frame('{}')));
    expect(decoder.next()).toBeUndefined();
  });

  it('accepts a body of exactly the limit', () => {
    const body = JSON.stringify({ p: 'q'.repeat(200) });
    expect(
      decodeAll(contentLength, [frame(body)], { maxMessageSize: Buffer.byteLength(body) }),
    ).toEqual([JSON.parse(body)]);
  });

  it('refuses a header block over the limit, even before it ends', () => {
    expect(DEFAULT_MAX_HEADER_SIZE).toBe(8192);
    const long = `X-Padding: ${'p'.repeat(DEFAULT_MAX_HEADER_SIZE)}`;
    expect(decodeAll(contentLength, [long])).toEqual([{ error: 'HEADER_TOO_LARGE', fatal: true }]);
    expect(decodeAll(contentLength, [frame('{}', 'X: 123456\r\n')], { maxHeaderSize: 10 })).toEqual(
      [{ error: 'HEADER_TOO_LARGE', fatal: true }],
    );
  });

  it('accepts a header block of exactly the limit, however it is split', () => {
    const header = 'Content-Length: 2';
    const bytes = Buffer.from(`${header}\r\n\r\n{}`);
    for (let i = 0; i <= bytes.length; i++) {
      expect(decodeAll(contentLength, cut(bytes, [i]), { maxHeaderSize: header.length })).toEqual([
        {},
      ]);
    }
  });

  it('treats a malformed header as fatal', () => {
    const invalid = [{ error: 'INVALID_HEADER', fatal: true }];
    expect(decodeAll(contentLength, ['Content-Type: application/json\r\n\r\n{}'])).toEqual(invalid);
    expect(decodeAll(contentLength, ['Content-Length: 2\r\nnonsense\r\n\r\n{}'])).toEqual(invalid);
    expect(decodeAll(contentLength, ['Content-Length: -2\r\n\r\n{}'])).toEqual(invalid);
    expect(
      decodeAll(contentLength, [
        'Content-Length: 2\r\nContent-Type: a/b; charset=latin1\r\n\r\n{}',
      ]),
    ).toEqual(invalid);
  });

  it('says at once when the peer sends ndjson instead of headers, however short', () => {
    for (const input of ['{"jsonrpc":"2.0","method":"a","id":1}\n', '[{}]\n', '{']) {
      const decoder = contentLength.createDecoder();
      decoder.push(Buffer.from(input));
      const result = decoder.next();
      expect(result?.ok).toBe(false);
      expect(result?.ok === false && result.error).toMatchObject({
        code: 'INVALID_HEADER',
        fatal: true,
        message: expect.stringContaining('ndjson'),
      });
      expect(decoder.next()).toBeUndefined();
    }
    // After a good frame too, and split anywhere.
    expect(decodeAll(contentLength, [frame('{}'), '{', '"a":1}\n'])).toEqual([
      {},
      { error: 'INVALID_HEADER', fatal: true },
    ]);
  });

  it('reports a frame cut off by the end of the stream as truncated', () => {
    const truncated = { error: 'TRUNCATED', fatal: false };
    expect(decodeAll(contentLength, [frame('{"a":1}'), 'Content-Length: 10\r\n\r\n{"b"'])).toEqual([
      { a: 1 },
      truncated,
    ]);
    expect(decodeAll(contentLength, ['Content-Len'])).toEqual([truncated]);
  });
});

describe('content-length encoder', () => {
  it('writes a Content-Length header with the byte length, then compact JSON', () => {
    expect(contentLength.encode({ s: 'é' })).toBe('Content-Length: 10\r\n\r\n{"s":"é"}');
  });

  it('throws a TypeError for what JSON cannot represent', () => {
    expect(() => contentLength.encode(() => 1)).toThrow(TypeError);
  });
  it('frames JSON text as encode frames the message it is the text of', () => {
    expect(contentLength.frame?.('{"s":"é"}')).toBe('Content-Length: 10\r\n\r\n{"s":"é"}');
    const random = prng(7);
    for (let k = 0; k < 200; k++) {
      const value = randomValue(random);
      expect(contentLength.frame?.(JSON.stringify(value))).toBe(contentLength.encode(value));
    }
  });
});
