import { nestsDeeper } from './json-scanner.js';

const NEWLINE = 0x0a;
const blank = /^[ \t\r]*$/;

/**
 * Parses the lines of `buf[from, last)` (`last` being a newline) in one go:
 * one UTF-8 decode and one `split` for the whole run instead of one of each
 * per message — the common case of a client pipelining one request per line.
 * Parsed messages are appended to `out`; blank lines are skipped.
 *
 * Returns where parsing stopped: just past `last` when every line parsed, or
 * the start of the first line that did not (it holds several values, part of
 * one, or bad JSON), for the byte-level decoder to take over from there. Byte
 * offsets are found by counting newline bytes, which UTF-8 decoding never
 * alters, so invalid UTF-8 on an earlier line cannot shift them.
 *
 * A line long enough to nest deeper than `maxDepth` is checked first
 * ({@link nestsDeeper}, on its bytes); a line that does is left to the
 * byte-level decoder, which refuses it, so `JSON.parse` never sees it.
 */
export function parseLines(
  buf: Buffer,
  from: number,
  last: number,
  maxDepth: number,
  out: unknown[],
): number {
  const lines = buf.toString('utf8', from, last).split('\n');
  const deepAt = 2 * maxDepth + 2;
  // Where line `known` starts in `buf`, found only when a long line needs it.
  let known = 0;
  let knownStart = from;
  const lineStart = (k: number): number => {
    for (; known < k; known++) knownStart = buf.indexOf(NEWLINE, knownStart) + 1;
    return knownStart;
  };
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (line.length >= deepAt) {
      const start = lineStart(k);
      const end = k === lines.length - 1 ? last : buf.indexOf(NEWLINE, start);
      if (nestsDeeper(buf, start, end, maxDepth)) return start;
    }
    try {
      out.push(JSON.parse(line));
    } catch {
      if (blank.test(line)) continue;
      return lineStart(k);
    }
  }
  return last + 1;
}
