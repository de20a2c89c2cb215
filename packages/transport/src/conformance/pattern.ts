import { once } from 'node:events';
import type { Duplex } from 'node:stream';

const BLOCK_WORDS = 16 * 1024;

/**
 * An endless, deterministic byte sequence (xorshift32) that does not repeat
 * within 16 GiB. A receiver that regenerates it from the same seed checks
 * every byte at its position, so a lost, repeated, reordered or corrupted
 * chunk is caught, not only a wrong length — and neither side holds more than
 * a block of it in memory.
 */
export class Pattern {
  #state: number;
  readonly #words = new Uint32Array(BLOCK_WORDS);
  readonly #block = Buffer.from(this.#words.buffer);
  #offset = this.#block.length;

  /** @param seed any non-zero 32-bit number; equal seeds give equal sequences. */
  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }

  /** The next `length` bytes of the sequence, in a new buffer. */
  next(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      if (this.#offset === this.#block.length) this.#refill();
      const copied = this.#block.copy(out, filled, this.#offset);
      this.#offset += copied;
      filled += copied;
    }
    return out;
  }

  #refill(): void {
    let x = this.#state;
    for (let i = 0; i < BLOCK_WORDS; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#words[i] = x;
    }
    this.#state = x;
    this.#offset = 0;
  }
}

const CHUNK_BYTES = 64 * 1024;

/** Writes `total` bytes of the pattern for `seed`, honouring backpressure. */
export async function writePattern(stream: Duplex, seed: number, total: number): Promise<void> {
  const pattern = new Pattern(seed);
  for (let left = total; left > 0; ) {
    const chunk = pattern.next(Math.min(CHUNK_BYTES, left));
    left -= chunk.length;
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
}

/**
 * Reads `total` bytes and checks each against the pattern for `seed`.
 * Rejects at the first wrong byte, naming its offset, or if the stream ends
 * early. Leaves the stream paused after the last byte.
 */
export function verifyPattern(stream: Duplex, seed: number, total: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const pattern = new Pattern(seed);
    let received = 0;
    const finish = (err?: Error) => {
      stream.pause();
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', finish);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > total) {
        finish(new Error(`received more than the ${total} bytes sent`));
        return;
      }
      const expected = pattern.next(chunk.length);
      if (!expected.equals(chunk)) {
        let at = 0;
        while (expected[at] === chunk[at]) at++;
        finish(
          new Error(
            `byte ${received + at} of ${total} is wrong: data lost, reordered or corrupted`,
          ),
        );
        return;
      }
      received += chunk.length;
      if (received === total) finish();
    };
    const onEnd = () => finish(new Error(`the stream ended after ${received} of ${total} bytes`));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', finish);
    stream.resume();
  });
}
