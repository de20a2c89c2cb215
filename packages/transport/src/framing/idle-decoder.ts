import type { DecodeResult, Decoder, DecoderOptions } from './types.js';

/** A codec's decoder state machine, which can tell when it holds nothing. */
export interface StatefulDecoder extends Decoder {
  /**
   * True when a new decoder would decode what comes next exactly as this one
   * would: no bytes held, no message decoded ahead, no error or resync state.
   * Read it after {@link Decoder.next} returned `undefined`.
   */
  readonly idle: boolean;
}

/**
 * A {@link Decoder} that keeps its state machine only while it holds
 * something: made when bytes arrive, dropped once they are all decoded. A
 * server holding thousands of connections that are idle between messages
 * keeps one small object for each, not a decoder with its buffers and
 * positions; a connection in use pays one allocation per chunk, which the
 * young generation takes for free.
 */
export class IdleDecoder implements Decoder {
  readonly #make: new (
    options: DecoderOptions,
  ) => StatefulDecoder;
  readonly #options: DecoderOptions;
  #decoder: StatefulDecoder | undefined;
  #ended = false;

  /** Decodes with `new make(options)`; `options` is kept, not copied (it may be shared). */
  constructor(make: new (options: DecoderOptions) => StatefulDecoder, options: DecoderOptions) {
    this.#make = make;
    this.#options = options;
  }

  get pending(): boolean {
    return this.#decoder?.pending ?? false;
  }

  push(chunk: Uint8Array): void {
    if (this.#ended) return;
    this.#decoder ??= new this.#make(this.#options);
    this.#decoder.push(chunk);
  }

  next(): DecodeResult | undefined {
    const decoder = this.#decoder;
    if (decoder === undefined) return undefined;
    const item = decoder.next();
    if (item === undefined && decoder.idle) this.#decoder = undefined;
    return item;
  }

  end(): void {
    this.#ended = true;
    this.#decoder?.end();
  }
}
