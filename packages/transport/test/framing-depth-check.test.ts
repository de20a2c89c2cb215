import { describe, expect, it } from 'vitest';
import { nestsDeeper, nestsDeeperInJs } from '../src/framing/json-scanner.js';
import { WASM_SCAN_LIMIT, wasmCheckers, wasmNestsDeeper } from '../src/framing/nesting-wasm.js';
import { prng } from './helpers/framing.js';

const deeper = (text: string, maxDepth: number) => {
  const buf = Buffer.from(text);
  return nestsDeeper(buf, 0, buf.length, maxDepth);
};

/** `length` random pieces: `[` or `{` with probability `bias`, else one of `pieces`. */
function randomText(
  random: () => number,
  pieces: readonly string[],
  bias: number,
  length: number,
): string {
  let text = '';
  for (let k = 0; k < length; k++) {
    text +=
      random() < bias ? (random() < 0.5 ? '[' : '{') : pieces[Math.floor(random() * pieces.length)];
  }
  return text;
}

describe('the depth check before JSON.parse (nestsDeeper)', () => {
  it('is true exactly one level past the limit, for arrays and objects alike', () => {
    expect(deeper(`${'['.repeat(64)}${']'.repeat(64)}`, 64)).toBe(false);
    expect(deeper(`${'['.repeat(65)}${']'.repeat(65)}`, 64)).toBe(true);
    expect(deeper(`${'{"a":'.repeat(64)}1${'}'.repeat(64)}`, 64)).toBe(false);
    expect(deeper(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`, 64)).toBe(true);
    expect(deeper(`[${'[],'.repeat(100)}[[[]]]]`, 3)).toBe(true);
    expect(deeper(`[${'[],'.repeat(100)}[[]]]`, 3)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(deeper(`["${'['.repeat(100)}"]`, 2)).toBe(false);
    expect(deeper(`["\\"${'['.repeat(100)}", 1]`, 2)).toBe(false);
    expect(deeper(`["\\\\", ${'['.repeat(3)}${']'.repeat(3)}]`, 2)).toBe(true);
    // A long string (past the byte-by-byte part of the JavaScript check) with an escaped quote.
    expect(deeper(`["${'x\\"'.repeat(40)}[[[", [[1]]]`, 2)).toBe(true);
  });

  it('stops where the text closes more than it opened, or a string does not close', () => {
    expect(deeper(`]${'['.repeat(10)}`, 2)).toBe(false);
    expect(deeper(`["${'['.repeat(10)}`, 2)).toBe(false);
  });

  it('gives the same answer in WebAssembly as in JavaScript on generated texts', () => {
    const random = prng(18);
    const pieces = ['[', ']', '{', '}', '"', '\\', 'a', ',', ':', '1', ' ', '\n', 'é'];
    let deep = 0;
    let shallow = 0;
    for (let n = 0; n < 20_000; n++) {
      // Some texts mostly brackets, some mostly other bytes.
      const bias = random();
      const text = randomText(random, pieces, bias, Math.floor(random() * 200));
      const buf = Buffer.from(text);
      const from = Math.min(buf.length, Math.floor(random() * 3));
      const maxDepth = 1 + Math.floor(random() * 40);
      const inJs = nestsDeeperInJs(buf, from, buf.length, maxDepth);
      // Called directly: a WebAssembly check that failed to load would answer undefined here.
      expect(wasmNestsDeeper(buf, from, buf.length, maxDepth), JSON.stringify(text)).toBe(inJs);
      if (inJs) deep++;
      else shallow++;
    }
    expect(deep).toBeGreaterThan(1000);
    expect(shallow).toBeGreaterThan(1000);
  });

  it('gives the same answer in both WebAssembly modules (SIMD and scalar) as in JavaScript', () => {
    const { simd, scalar } = wasmCheckers();
    // Node 20 has WebAssembly SIMD; the scalar module is the fallback where an engine has not.
    expect(simd).not.toBeNull();
    expect(scalar).not.toBeNull();
    const random = prng(1813);
    // With and without backslashes: the SIMD module counts a block without one 16 bytes at once.
    const alphabets = [
      ['[', ']', '{', '}', '"', '\\', 'a', ',', ':', '1', ' ', '\n', 'é'],
      ['[', ']', '{', '}', '"', 'a', ',', ':', '1', 'bc'],
      ['[', '{', ']', '}', '"'],
    ];
    const counts = { deep: 0, shallow: 0 };
    for (let n = 0; n < 20_000; n++) {
      const pieces = alphabets[n % alphabets.length]!;
      const bias = random() * 0.6;
      // Mostly short texts; one in ten spans many 16-byte blocks.
      const length = Math.floor(random() * (n % 10 === 0 ? 3000 : 120));
      const text = randomText(random, pieces, bias, length);
      const buf = Buffer.from(text);
      const from = Math.min(buf.length, Math.floor(random() * 3));
      const end = Math.max(from, buf.length - Math.floor(random() * 3));
      const maxDepth = 1 + Math.floor(random() * 70);
      const inJs = nestsDeeperInJs(buf, from, end, maxDepth);
      expect(simd!(buf, from, end, maxDepth), JSON.stringify(text)).toBe(inJs);
      expect(scalar!(buf, from, end, maxDepth), JSON.stringify(text)).toBe(inJs);
      counts[inJs ? 'deep' : 'shallow']++;
    }
    expect(counts.deep).toBeGreaterThan(1000);
    expect(counts.shallow).toBeGreaterThan(1000);
  });

  it('checks a batch of 100 tiny calls, and the same batch one level too deep', () => {
    const calls = Array.from({ length: 100 }, (_, i) => ({
      jsonrpc: '2.0',
      id: i + 1,
      method: 'add',
      params: [1, 2],
    }));
    const batch = JSON.stringify(calls);
    expect(deeper(batch, 3)).toBe(false);
    expect(deeper(batch, 2)).toBe(true);
    expect(deeper(`${'['.repeat(62)}${batch}${']'.repeat(62)}`, 64)).toBe(true);
    expect(deeper(`${'['.repeat(61)}${batch}${']'.repeat(61)}`, 64)).toBe(false);
  });

  it('checks a text longer than the WebAssembly check takes in JavaScript', () => {
    expect(wasmNestsDeeper(Buffer.alloc(WASM_SCAN_LIMIT + 1), 0, WASM_SCAN_LIMIT + 1, 64)).toBe(
      undefined,
    );
    const long = 'x'.repeat(WASM_SCAN_LIMIT);
    expect(deeper(`["${long}", ${'['.repeat(65)}${']'.repeat(65)}]`, 64)).toBe(true);
    expect(deeper(`["${long}", ${'['.repeat(63)}${']'.repeat(63)}]`, 64)).toBe(false);
  });

  it('checks only the bytes it is given', () => {
    const buf = Buffer.from(`[[[[]]]] ${'['.repeat(20)}`);
    expect(nestsDeeper(buf, 0, 8, 3)).toBe(true);
    expect(nestsDeeper(buf, 0, 8, 4)).toBe(false);
    expect(nestsDeeper(buf, 2, 6, 1)).toBe(true);
  });
});
