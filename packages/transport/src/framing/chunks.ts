/**
 * The pieces of one message that arrived in several chunks, joined once when
 * the message is complete — never re-concatenated per chunk.
 */
export class PartialMessage {
  #pieces: Buffer[] = [];
  /** Bytes held so far. */
  size = 0;

  /** Keeps `piece` (a view into a received chunk; nothing is copied). */
  add(piece: Buffer): void {
    this.#pieces.push(piece);
    this.size += piece.length;
  }

  /** The whole message as text, with `last` appended; then forgets it. */
  take(last: Buffer): string {
    this.add(last);
    const text = Buffer.concat(this.#pieces, this.size).toString('utf8');
    this.clear();
    return text;
  }

  /** Drops what is held. */
  clear(): void {
    this.#pieces.length = 0;
    this.size = 0;
  }
}

/** A chunk as a `Buffer` view, without copying. */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Received chunks waiting to be decoded, consumed front to back. */
export class ChunkQueue {
  /** The chunk being decoded, if any. */
  current: Buffer | undefined;
  /** Read position in {@link ChunkQueue.current}. */
  pos = 0;
  #waiting: Buffer[] = [];

  /** Queues a chunk behind the ones already held. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.current === undefined) {
      this.current = chunk;
      this.pos = 0;
    } else {
      this.#waiting.push(chunk);
    }
  }

  /**
   * Moves on to the next chunk once {@link ChunkQueue.current} is used up.
   * Returns the chunk to decode from, or `undefined` when all are used up.
   */
  advance(): Buffer | undefined {
    while (this.current !== undefined && this.pos >= this.current.length) {
      this.current = this.#waiting.shift();
      this.pos = 0;
    }
    return this.current;
  }

  /** Drops every chunk. */
  clear(): void {
    this.current = undefined;
    this.#waiting.length = 0;
    this.pos = 0;
  }
}
