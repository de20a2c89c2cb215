import type { Connection } from '@localwire/transport';

/**
 * Frames queued beyond this many characters are written at once, not when
 * the current task ends, unless the connection prefers another size
 * ({@link Connection.preferredWriteSize}: a named pipe's writes cost more).
 * Small, so that the peer starts on the first answers to a chunk of
 * pipelined requests while this side still works on the rest (and this
 * side's next requests reach the server while it still answers): with a
 * whole chunk answered in one write, the two processes took turns, one idle
 * while the other worked. 4 KiB still carries about a hundred tiny answers
 * per write.
 */
const FLUSH_AT = 4 * 1024;

/** The size a writer on `connection` gathers frames to: its transport's preference, else {@link FLUSH_AT}. */
function flushSize(connection: Connection): number {
  const preferred = connection.preferredWriteSize;
  return preferred !== undefined && preferred > 0 ? preferred : FLUSH_AT;
}

/**
 * Flushes are scheduled as a reaction to this promise rather than with
 * `queueMicrotask`, which on Node 20 wraps every callback in an
 * `AsyncResource` and a bound function: about 1,700 instructions per flush,
 * that is per call on a sequential client and per answer on its server. The
 * reaction is a microtask all the same, run at the same point.
 */
const SETTLED = Promise.resolve();

/**
 * The writers with frames queued, flushed by one microtask for all of them:
 * no callback per writer (a server holding thousands of connections keeps
 * none), and one reaction for the answers to every connection that one task
 * served.
 */
const scheduled: FrameWriter[] = [];

function flushScheduled(): void {
  let failure: { error: unknown } | undefined;
  // Writers scheduled while these flush are flushed in this same pass.
  for (let k = 0; k < scheduled.length; k++) {
    try {
      scheduled[k]!.flushScheduled();
    } catch (error) {
      failure ??= { error };
    }
  }
  scheduled.length = 0;
  // As when each writer had its own microtask: the error rejects it, and the rest still flush.
  if (failure !== undefined) throw failure.error;
}

/** What a {@link FrameWriter} tells its endpoint. */
export interface WriterHost {
  /** The connection has drained after {@link FrameWriter.blocked}. */
  drained(): void;
  /** Too much output the peer did not ask for waits for it (see the class comment). */
  overflowed(): void;
}

/**
 * Writes frames to a connection, coalesced: frames queued while one task runs
 * (the answers to one chunk of pipelined requests, say) go out together,
 * `write()` by `write()` of up to {@link FLUSH_AT} or the connection's
 * preferred size (written at once when reached, the rest from a microtask
 * once the task ends). That saves a system call per message without holding
 * an answer back until a later phase of the event loop (`setImmediate` did,
 * and cost a timer-queue object and latency per connection), keeps the queue
 * small, shows backpressure promptly, and lets the peer start on the first
 * answers early.
 *
 * Backpressure: when `write()` returns false the writer is
 * {@link FrameWriter.blocked} until `drain`, and the endpoint stops reading
 * from that peer meanwhile, which bounds the answers: the peer asked for
 * them, and pausing its input is enough. Output the peer did not ask for
 * ({@link FrameWriter.sendUnsolicited}: notifications, this side's own
 * requests) cannot be held back that way, so it is counted until written out,
 * and when more of it comes while over `maxBufferedBytes` of it already wait
 * for the peer, the writer gives up on the peer. It is counted without a
 * callback per write (a closure and a tick per request, on a client): the
 * connection has taken all but its `writableLength` of what was written, in
 * order, so a write is remembered only while the connection has not taken
 * it all at once, and forgotten once that much has gone.
 */
export class FrameWriter {
  readonly #connection: Connection;
  readonly #flushAt: number;
  readonly #maxBufferedBytes: number;
  readonly #host: WriterHost;
  #queued = '';
  /** Characters of {@link FrameWriter.#queued} the peer did not ask for. */
  #queuedUnsolicited = 0;
  /** Characters the peer did not ask for, written but not yet taken by the connection. */
  #unsolicitedWaiting = 0;
  /** Characters given to the connection's `write()` so far. */
  #written = 0;
  /**
   * Writes holding unsolicited output the connection had not taken when
   * written, oldest first, as pairs: where the write ends (in
   * {@link FrameWriter.#written}) and how many unsolicited characters it
   * holds. Made for the first such write: answers alone never need it.
   */
  #waitingWrites: number[] | undefined;
  #scheduled = false;
  #blocked = false;

  constructor(connection: Connection, maxBufferedBytes: number, host: WriterHost) {
    this.#connection = connection;
    this.#flushAt = flushSize(connection);
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#host = host;
  }

  /** True while the connection's buffer is full (until `drain`). */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** Queues output the peer did not ask for; see the class comment. */
  sendUnsolicited(frame: string): void {
    this.#queuedUnsolicited += frame.length;
    this.send(frame);
  }

  /** Queues one frame; it is written once the current task (and its microtasks so far) ends. */
  send(frame: string): void {
    this.#queued += frame;
    if (this.#queued.length >= this.#flushAt) {
      this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      if (scheduled.push(this) === 1) void SETTLED.then(flushScheduled);
    }
  }

  /** Writes what is queued now. */
  flush(): void {
    const data = this.#queued;
    if (data === '') return;
    // Counted only where it is bounded: a client's own requests never are.
    const unsolicited =
      this.#maxBufferedBytes === Number.POSITIVE_INFINITY ? 0 : this.#queuedUnsolicited;
    this.#queued = '';
    this.#queuedUnsolicited = 0;
    const connection = this.#connection;
    if (connection.destroyed || connection.writableEnded) return;
    if (unsolicited !== 0 && this.#unsolicitedStillWaiting(connection) > this.#maxBufferedBytes) {
      this.#host.overflowed();
      return;
    }
    const written = connection.write(data);
    this.#written += data.length;
    if (unsolicited !== 0 && connection.writableLength > 0) {
      this.#unsolicitedWaiting += unsolicited;
      this.#waitingWrites ??= [];
      this.#waitingWrites.push(this.#written, unsolicited);
    }
    if (!written && !this.#blocked) {
      this.#blocked = true;
      connection.once('drain', () => {
        this.#blocked = false;
        this.#host.drained();
      });
    }
  }

  /** The scheduled flush (see {@link flushScheduled}). */
  flushScheduled(): void {
    this.#scheduled = false;
    this.flush();
  }

  /** The unsolicited characters still waiting, once the writes the connection has taken are forgotten. */
  #unsolicitedStillWaiting(connection: Connection): number {
    const waiting = this.#waitingWrites;
    if (waiting === undefined || waiting.length === 0) return 0;
    const taken = this.#written - connection.writableLength;
    let k = 0;
    while (k < waiting.length && waiting[k]! <= taken) {
      this.#unsolicitedWaiting -= waiting[k + 1]!;
      k += 2;
    }
    if (k > 0) waiting.splice(0, k);
    return this.#unsolicitedWaiting;
  }
}
