/** Pieces at least this long are kept as views of their chunk; shorter ones are copied. */
const KEEP_AT = 16 * 1024;
/** The first copy buffer's size. */
const FIRST_CAPACITY = 256;
/** A copy buffer grows by doubling up to this size; a full one is kept and a new one started. */
const MAX_CAPACITY = 1024 * 1024;

/**
 * The bytes of one message that arrived in several chunks, joined once when
 * the message is complete — never re-concatenated per chunk.
 *
 * Memory is proportional to the bytes held, however the peer chunks them: a
 * view per chunk would cost a `Buffer` object (about 190 bytes) per chunk, so
 * a message sent one byte per write would cost ~200× its size. Small pieces
 * are copied into a buffer that doubles as it fills (up to 1 MiB, then a new
 * one starts); large pieces that fill most of their chunk are kept as views,
 * without copying. Either way at most 2× the bytes held, plus a small
 * constant, is kept.
 */
export class PartialMessage {
  /** Full copy buffers and kept views, in order, before {@link PartialMessage.#tail}. */
  #pieces: Buffer[] | undefined;
  /** The copy buffer being filled, if any, and how much of it is used. */
  #tail: Buffer | undefined;
  #tailUsed = 0;
  /** Bytes held so far. */
  size = 0;

  /** Adds `piece` (a view into a received chunk), copying it unless it is large. */
  add(piece: Buffer): void {
    const length = piece.length;
    if (length === 0) return;
    this.size += length;
    // A view pins its whole chunk: kept only when the piece is most of it.
    if (length >= KEEP_AT && piece.buffer.byteLength <= 2 * length) {
      this.#sealTail();
      this.#keep(piece);
      return;
    }
    let tail = this.#tail;
    if (tail !== undefined && this.#tailUsed + length > tail.length) {
      if (tail.length >= MAX_CAPACITY) {
        this.#sealTail();
        tail = undefined;
      } else {
        const grown = Buffer.allocUnsafe(Math.max(2 * tail.length, this.#tailUsed + length));
        tail.copy(grown, 0, 0, this.#tailUsed);
        this.#tail = tail = grown;
      }
    }
    if (tail === undefined) {
      this.#tail = tail = Buffer.allocUnsafe(Math.max(FIRST_CAPACITY, length));
      this.#tailUsed = 0;
    }
    piece.copy(tail, this.#tailUsed);
    this.#tailUsed += length;
  }

  /** The whole message as text, with `last` appended; then forgets it. */
  take(last: Buffer): string {
    return this.takeBuffer(last).toString('utf8');
  }

  /** The whole message's bytes, with `last` appended; then forgets it. */
  takeBuffer(last: Buffer): Buffer {
    this.#sealTail();
    if (last.length > 0) this.#keep(last);
    const pieces = this.#pieces;
    const whole =
      pieces === undefined
        ? last
        : pieces.length === 1
          ? pieces[0]!
          : Buffer.concat(pieces, this.size + last.length);
    this.clear();
    return whole;
  }

  /** Drops what is held. */
  clear(): void {
    this.#pieces = undefined;
    this.#tail = undefined;
    this.#tailUsed = 0;
    this.size = 0;
  }

  /** Moves the used part of the copy buffer to the pieces. */
  #sealTail(): void {
    if (this.#tail === undefined) return;
    this.#keep(this.#tail.subarray(0, this.#tailUsed));
    this.#tail = undefined;
    this.#tailUsed = 0;
  }

  #keep(piece: Buffer): void {
    if (this.#pieces === undefined) this.#pieces = [piece];
    else this.#pieces.push(piece);
  }
}

/** A chunk as a `Buffer` view, without copying. */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Received chunks waiting to be decoded, consumed front to back: the base
 * class of the decoders, so a connection pays for no separate object.
 */
export abstract class ChunkQueue {
  /** The chunk being decoded, if any. */
  protected current: Buffer | undefined;
  /** Read position in {@link ChunkQueue.current}. */
  protected pos = 0;
  /** Chunks behind {@link ChunkQueue.current}; made when a second one arrives before the first is used. */
  #waiting: Buffer[] | undefined;

  /** Queues a chunk behind the ones already held. */
  protected enqueue(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.current === undefined) {
      this.current = chunk;
      this.pos = 0;
    } else if (this.#waiting === undefined) {
      this.#waiting = [chunk];
    } else {
      this.#waiting.push(chunk);
    }
  }

  /**
   * Moves on to the next chunk once {@link ChunkQueue.current} is used up.
   * Returns the chunk to decode from, or `undefined` when all are used up.
   */
  protected advance(): Buffer | undefined {
    while (this.current !== undefined && this.pos >= this.current.length) {
      this.current = this.#waiting?.shift();
      this.pos = 0;
    }
    return this.current;
  }

  /** Drops every chunk. */
  protected dropChunks(): void {
    this.current = undefined;
    this.#waiting = undefined;
    this.pos = 0;
  }
}
