import type { Duplex } from 'node:stream';
import type { Decoder, FramingError } from '@localwire/transport/framing';
import { type Lifecycle, Phase } from './lifecycle.js';
import type { FrameWriter } from './writer.js';

/**
 * What the {@link Inbound} side hands on, and asks of, its endpoint; the
 * endpoint is also the {@link Lifecycle} they share.
 */
export interface InboundSink extends Lifecycle {
  /** The connection read from. */
  readonly connection: Duplex;
  /** Takes one decoded message. */
  message(message: unknown): void;
  /** Takes one message decoded after input stopped, while {@link Inbound.stop} listens on. */
  lateMessage(message: unknown): void;
  /** Takes one framing error (a fatal one stops input: see {@link Inbound.stop}). */
  framingError(error: FramingError): void;
  /** Called after each pass over the decoder, to finish the connection if input is done. */
  pumped(): void;
}

/** Why {@link Inbound.checkTimeouts} says to close the connection. */
export type Stall = 'message' | 'idle';

/**
 * The reading side of one connection, beside {@link FrameWriter}'s writing
 * side: feeds what arrives to the decoder, hands the decoded messages on one
 * at a time while the in-flight gate allows, and pauses the connection while
 * it does not, so a peer that floods or never reads is held back, not
 * buffered.
 *
 * The gate: at most `maxInFlight` of the peer's requests run at once (each
 * counted from {@link Inbound.begin} to {@link Inbound.finish}), and, given
 * a writer to be held by (a server's: its answers wait for the peer to read),
 * nothing is taken while that writer is {@link FrameWriter.blocked}.
 */
export class Inbound {
  readonly #decoder: Decoder;
  readonly #maxInFlight: number;
  /** The writer whose backlog holds input back, if any. */
  readonly #heldBy: FrameWriter | undefined;
  readonly #sink: InboundSink;
  #inFlight = 0;
  #paused = false;
  /** Input has stopped, but messages are still decoded for {@link InboundSink.lateMessage}. */
  #listening = false;
  // For the watchdog: counters bumped on the hot path, compared on each tick.
  /** Chunks received. */
  #chunks = 0;
  /** Messages decoded. */
  #messages = 0;
  #seenChunks = -1;
  #seenMessages = -1;
  /** When a tick first saw the current unfinished message (0: none). */
  #pendingSince = 0;
  /** When a tick last saw input or work. */
  #activeAt = 0;

  constructor(
    decoder: Decoder,
    maxInFlight: number,
    heldBy: FrameWriter | undefined,
    sink: InboundSink,
  ) {
    this.#decoder = decoder;
    this.#maxInFlight = maxInFlight;
    this.#heldBy = heldBy;
    this.#sink = sink;
  }

  /** True while output waits for the peer and holds input back. */
  #outputBlocked(): boolean {
    return this.#heldBy?.blocked === true;
  }

  /** Requests of the peer running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Takes a chunk the peer sent. */
  push(chunk: Buffer): void {
    // Once input has stopped, what still arrives is dropped (see
    // Endpoint.pumped), or only listened to for cancels while calls still run.
    if (!this.#sink.reading) {
      if (this.#listening) this.#listen(chunk);
      return;
    }
    this.#chunks++;
    this.#decoder.push(chunk);
    this.pump();
  }

  /** The peer ended its side: what the decoder holds is still taken, then input is done. */
  end(): void {
    this.#sink.advance(Phase.PeerEnded);
    this.#decoder.end();
    this.pump();
  }

  /**
   * Takes no more messages. With `listen`, until the connection ends, keeps
   * reading and decoding (what is buffered, and what comes) for
   * {@link InboundSink.lateMessage} (which drops all but cancels), rather
   * than pause: the peer may still cancel calls that are running, so that
   * closing need not wait for them.
   */
  stop(listen = false): void {
    if (!this.#sink.reading) return;
    this.#sink.advance(Phase.InputDone);
    this.#listening = listen;
    if (listen) this.#listen(undefined);
    this.updateFlow();
  }

  /** Decodes `chunk` (or only what is buffered) for {@link InboundSink.lateMessage}. */
  #listen(chunk: Buffer | undefined): void {
    if (this.#sink.phase !== Phase.InputDone) {
      this.#listening = false;
      return;
    }
    const decoder = this.#decoder;
    if (chunk !== undefined) decoder.push(chunk);
    for (let item = decoder.next(); item !== undefined; item = decoder.next()) {
      if (item.ok) {
        this.#sink.lateMessage(item.message);
      } else if (item.error.fatal) {
        // Unreadable from here on: stop listening (and let the connection pause).
        this.#listening = false;
        this.updateFlow();
        return;
      }
    }
  }

  /** Counts `weight` more requests in flight. */
  begin(weight: number): void {
    this.#inFlight += weight;
  }

  /** Counts `weight` requests as finished, and takes more if that opened the gate. */
  finish(weight: number): void {
    this.#inFlight -= weight;
    if (this.#paused || !this.#sink.reading) this.pump();
  }

  /** Hands decoded messages on while the gate allows. */
  pump(): void {
    const decoder = this.#decoder;
    const lifecycle = this.#sink;
    const maxInFlight = this.#maxInFlight;
    while (lifecycle.reading && this.#inFlight < maxInFlight && !this.#outputBlocked()) {
      const item = decoder.next();
      if (item === undefined) {
        if (lifecycle.phase === Phase.PeerEnded) lifecycle.advance(Phase.InputDone);
        break;
      }
      this.#messages++;
      if (item.ok) this.#sink.message(item.message);
      else this.#sink.framingError(item.error);
    }
    this.updateFlow();
    this.#sink.pumped();
  }

  /** Pauses the connection while nothing is to be taken from it, resumes it when something is. */
  updateFlow(): void {
    const lifecycle = this.#sink;
    const stop =
      !lifecycle.ending &&
      (lifecycle.reading
        ? this.#inFlight >= this.#maxInFlight || this.#outputBlocked()
        : !this.#listening);
    if (stop && !this.#paused) {
      this.#paused = true;
      this.#sink.connection.pause();
    } else if (!stop && this.#paused) {
      this.#paused = false;
      this.#sink.connection.resume();
    }
  }

  /**
   * The watchdog's tick: `'message'` when a message has been arriving for
   * longer than `messageTimeout`, `'idle'` when nothing has for
   * `idleTimeout` (no byte received, and not `working`: no request in flight
   * either way). Only the counters bumped per chunk and per message are
   * compared with the previous tick's, so a connection pays nothing per
   * message for it. While this side holds the peer back (paused), the peer
   * is not to blame, and nothing is timed.
   */
  checkTimeouts(
    now: number,
    messageTimeout: number,
    idleTimeout: number,
    working: boolean,
  ): Stall | undefined {
    if (this.#paused) {
      this.#pendingSince = 0;
      this.#activeAt = now;
      return undefined;
    }
    if (!this.#decoder.pending) {
      this.#pendingSince = 0;
    } else if (this.#pendingSince === 0 || this.#messages !== this.#seenMessages) {
      this.#pendingSince = now;
      this.#seenMessages = this.#messages;
    } else if (now - this.#pendingSince >= messageTimeout) {
      return 'message';
    }
    if (this.#chunks !== this.#seenChunks || working || this.#inFlight > 0) {
      this.#seenChunks = this.#chunks;
      this.#activeAt = now;
    } else if (now - this.#activeAt >= idleTimeout) {
      return 'idle';
    }
    return undefined;
  }
}
