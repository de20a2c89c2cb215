import type { Codec, DecoderOptions } from '../../src/framing/index.js';

/** What a decoder produced: messages as they are, errors as `{ error: code, fatal }`. */
export type Decoded = unknown | { error: string; fatal: boolean };

/** Feeds `chunks` to a fresh decoder, ends it, and returns every result in order. */
export function decodeAll(
  codec: Codec,
  chunks: ReadonlyArray<Uint8Array | string>,
  options?: DecoderOptions,
): Decoded[] {
  const decoder = codec.createDecoder(options);
  const out: Decoded[] = [];
  const drain = () => {
    for (let r = decoder.next(); r !== undefined; r = decoder.next()) {
      out.push(r.ok ? r.message : { error: r.error.code, fatal: r.error.fatal });
    }
  };
  for (const chunk of chunks) {
    decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    drain();
  }
  decoder.end();
  drain();
  return out;
}

/** `bytes` cut at `cuts` (sorted offsets). */
export function cut(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const at of cuts) {
    pieces.push(bytes.subarray(from, at));
    from = at;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

/** A small deterministic PRNG (mulberry32), so random cases repeat exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random offsets into a buffer of `length` bytes, sorted. */
export function randomCuts(random: () => number, length: number, count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(random() * (length + 1))).sort(
    (a, b) => a - b,
  );
}

const alphabet = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '\n',
  'é',
  '日',
  '𝄞',
  '\u0001',
];

/** A random JSON value: nested objects and arrays, awkward strings, numbers, literals. */
export function randomValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 4 : 6));
  switch (pick) {
    case 0:
      return Array.from(
        { length: Math.floor(random() * 12) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
    case 1:
      return (
        (Math.floor(random() * 2 ** 40) * (random() < 0.5 ? -1 : 1)) / (random() < 0.3 ? 1000 : 1)
      );
    case 2:
      return [true, false, null][Math.floor(random() * 3)];
    case 3:
      return (
        '0x' +
        Math.floor(random() * 2 ** 48)
          .toString(16)
          .repeat(Math.floor(random() * 20))
      );
    case 4:
      return Array.from({ length: Math.floor(random() * 5) }, () => randomValue(random, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, (_, k) => [
          `${randomValue(random, 9)}${k}`,
          randomValue(random, depth + 1),
        ]),
      );
  }
}
