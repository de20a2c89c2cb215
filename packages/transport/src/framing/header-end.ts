/**
 * Finds the `\r\n\r\n` that ends a header block even when it is split across
 * chunks, without joining the chunks: a four-state matcher remembers how much
 * of the terminator the bytes held so far end with.
 */

const CR = 0x0d;
const LF = 0x0a;
const TERMINATOR = Buffer.from('\r\n\r\n', 'latin1');

/** The matcher's next state after `byte`, from `state` bytes of `\r\n\r\n` matched. */
function step(state: number, byte: number): number {
  if (byte === (state % 2 === 0 ? CR : LF)) return state + 1;
  return byte === CR ? 1 : 0;
}

/** Tracks the end of one header block; see the module comment. */
export class HeaderEnd {
  /** How many bytes of the terminator the bytes seen so far end with (0–3). */
  #matched = 0;

  /**
   * The index in `buf` just past the terminator, searching from `from`, or
   * -1 if it is not there yet (then call {@link HeaderEnd.skip} for those bytes).
   */
  find(buf: Buffer, from: number): number {
    let state = this.#matched;
    for (let i = from; state > 0 && i < buf.length && i < from + 3; i++) {
      state = step(state, buf[i]!);
      if (state === 4) return i + 1;
    }
    const at = buf.indexOf(TERMINATOR, from);
    return at === -1 ? -1 : at + 4;
  }

  /** Records that `buf[from…]` holds no terminator and belongs to the header. */
  skip(buf: Buffer, from: number): void {
    let state = buf.length - from >= 4 ? 0 : this.#matched;
    for (let i = Math.max(from, buf.length - 4); i < buf.length; i++) state = step(state, buf[i]!);
    this.#matched = state;
  }

  /** Starts over for the next header block. */
  reset(): void {
    this.#matched = 0;
  }
}
