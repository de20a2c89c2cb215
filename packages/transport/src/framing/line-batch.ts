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
 */
export function parseLines(buf: Buffer, from: number, last: number, out: unknown[]): number {
  const lines = buf.toString('utf8', from, last).split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    try {
      out.push(JSON.parse(line));
    } catch {
      if (blank.test(line)) continue;
      let start = from;
      for (let n = 0; n < k; n++) start = buf.indexOf(NEWLINE, start) + 1;
      return start;
    }
  }
  return last + 1;
}
