/**
 * The accept loop. A listener keeps several server instances waiting for
 * clients at once, so a burst of connects does not meet `ERROR_PIPE_BUSY`.
 * Each slot owns one instance and one overlapped `ConnectNamedPipe`; when a
 * client arrives the slot creates the next instance, re-arms, and hands the
 * connected one to libuv. No thread is held while waiting (see `wait.ts`).
 */
import { type Access, type Connection, type PeerInfo, TransportError } from '@localwire/transport';
import { describeError, ListenerBase } from '@localwire/transport/author';
import { type Handle, INVALID_HANDLE_VALUE, win32 } from './bindings.js';
import { clientPeer, toConnection } from './connection.js';
import { ConnectOperation, type ConnectOutcome, createPipeInstance } from './instance.js';
import {
  holdConnection,
  holdsConnections,
  isListening,
  startListening,
  stopListening,
} from './names.js';
import { validatePipeName } from './pipe-name.js';
import { createPipeSecurity, listenerSddl, type PipeSecurity, pipeOwnerSid } from './security.js';
import {
  ERROR_ACCESS_DENIED,
  ERROR_FILE_NOT_FOUND,
  ERROR_OPERATION_ABORTED,
  ERROR_PIPE_BUSY,
  toTransportError,
  Win32CallError,
  win32Error,
} from './win32-errors.js';

/** What {@link listenPipe} needs, validated by the transport. */
export interface PipeListenConfig {
  access: Access;
  securityDescriptor: string | undefined;
  allowInsecureDescriptor: boolean;
  pendingInstances: number;
  signal: AbortSignal | undefined;
}

/** One server instance and the `ConnectNamedPipe` waiting on it. */
interface Slot {
  pipe: Handle;
  readonly connect: ConnectOperation;
  /** Set while a `ConnectNamedPipe` is in flight; called when it completes. */
  done: Promise<void> | undefined;
}

class NamedPipeListener extends ListenerBase {
  readonly #security: PipeSecurity;
  readonly #slots = new Set<Slot>();

  constructor(address: string, security: PipeSecurity, slots: Slot[], signal?: AbortSignal) {
    super(address, signal);
    this.#security = security;
    for (const slot of slots) this.#slots.add(slot);
  }

  /**
   * Called as `listen` returns the listener: connections are handed out from
   * the next turn on (`ListenerBase.handOut`), and every slot is armed then
   * too, so that `listen` itself never accepts (what it would accept would be
   * held until then anyway).
   */
  start(): void {
    this.handOut();
    setImmediate(() => {
      for (const slot of this.#slots) if (this.listening) this.#arm(slot);
    });
  }

  /** Issues `ConnectNamedPipe` on the slot until one is pending, accepting whoever is already there. */
  #arm(slot: Slot): void {
    try {
      // Accepting may run user code (a `connection` handler) that closes us.
      while (this.listening) {
        const outcome = slot.connect.start(slot.pipe);
        if (outcome === 'pending') {
          slot.done = new Promise((resolve) => {
            slot.connect.whenDone(() => {
              slot.done = undefined;
              resolve();
              this.#completed(slot);
            });
          });
          return;
        }
        this.#settle(slot, outcome);
      }
    } catch (err) {
      this.#retire(slot, err);
    }
  }

  /** The slot's `ConnectNamedPipe` completed (or was cancelled by close). */
  #completed(slot: Slot): void {
    if (!this.listening) return;
    try {
      this.#settle(slot, slot.connect.outcome(slot.pipe));
    } catch (err) {
      this.#retire(slot, err);
      return;
    }
    this.#arm(slot);
  }

  /**
   * Acts on a finished `ConnectNamedPipe`: hands a connected instance over and
   * puts a fresh one in the slot, or disconnects an instance whose client left.
   * @throws {Win32CallError}
   */
  #settle(slot: Slot, outcome: ConnectOutcome): void {
    const w = win32();
    if (outcome === 'connected') {
      const connected = slot.pipe;
      // The next instance exists before this one leaves, so clients keep finding one.
      slot.pipe = INVALID_HANDLE_VALUE;
      try {
        slot.pipe = createOwnInstance(this.address, this.#security, false);
      } finally {
        this.#handOver(connected);
      }
    } else if (outcome === 'gone') {
      // DisconnectNamedPipe returns the instance to the listening state.
      w.DisconnectNamedPipe(slot.pipe);
    } else {
      // Cancelled while we are listening: not by us.
      throw new Win32CallError('ConnectNamedPipe', ERROR_OPERATION_ABORTED);
    }
  }

  /** Makes the connected instance `pipe` a connection; on failure it is closed, never leaked. */
  #handOver(pipe: Handle): void {
    let connection: Connection;
    try {
      let peer: PeerInfo;
      try {
        peer = clientPeer(pipe);
      } catch (err) {
        win32().CloseHandle(pipe);
        throw err;
      }
      // toConnection closes the handle itself if it fails.
      connection = toConnection(pipe, peer);
    } catch (err) {
      this.emit('error', toTransportError(err, 'listen', this.address) as Error);
      return;
    }
    connection.once('close', holdConnection(this.address));
    this.accept(connection);
  }

  /** Drops a slot that failed; the listener goes on with the others, or closes if none is left. */
  #retire(slot: Slot, err: unknown): void {
    this.#slots.delete(slot);
    if (slot.pipe !== INVALID_HANDLE_VALUE) win32().CloseHandle(slot.pipe);
    slot.connect.free();
    if (this.listening) this.emit('error', toTransportError(err, 'listen', this.address) as Error);
    if (this.#slots.size === 0) this.closeInBackground();
  }

  protected async shutdown(): Promise<void> {
    const w = win32();
    const inFlight: Promise<void>[] = [];
    for (const slot of this.#slots) {
      if (slot.done !== undefined) {
        // Completes the pending ConnectNamedPipe with ERROR_OPERATION_ABORTED.
        slot.connect.cancel(slot.pipe);
        inFlight.push(slot.done);
      }
      // Once no instance is left (accepted connections count) the name is gone: ENOENT.
      w.CloseHandle(slot.pipe);
      slot.pipe = INVALID_HANDLE_VALUE;
    }
    stopListening(this.address);
    // The kernel writes each OVERLAPPED until its operation completes: free after.
    await Promise.all(inFlight);
    for (const slot of this.#slots) slot.connect.free();
    this.#slots.clear();
    this.#security.free();
  }
}

/**
 * Who has `address`: nobody (`free`), a server with an instance waiting for
 * clients (`listening`), or only connected instances (`busy`). Asks
 * `WaitNamedPipeW(name, 1)`, which only looks: it connects nothing.
 */
function probe(address: string): 'free' | 'listening' | 'busy' {
  const w = win32();
  if (w.WaitNamedPipeW(address, 1)) return 'listening';
  // ERROR_SEM_TIMEOUT: every instance is connected. Any other error: not ours to take either.
  return w.GetLastError() === ERROR_FILE_NOT_FOUND ? 'free' : 'busy';
}

/**
 * Starts a listener at `address`.
 * @throws {TransportError} `EINVAL` for a bad name or SDDL, `EADDRINUSE` when
 * another server has the name.
 */
export async function listenPipe(address: string, config: PipeListenConfig): Promise<ListenerBase> {
  validatePipeName(address);
  if (config.signal?.aborted) {
    throw new TransportError('ABORT_ERR', describeError('ABORT_ERR', address), {
      address,
      cause: config.signal.reason,
    });
  }
  let security: PipeSecurity;
  try {
    security = createPipeSecurity(listenerSddl(config.access, config.securityDescriptor));
  } catch (err) {
    if (!(err instanceof Win32CallError)) throw err;
    throw new TransportError(
      'EINVAL',
      `${address}: the security descriptor is not valid SDDL (${err.message}); see https://learn.microsoft.com/windows/win32/secauthz/security-descriptor-string-format`,
      { address, syscall: err.syscall, winError: err.winError },
    );
  }
  if (
    config.securityDescriptor !== undefined &&
    security.unsafeGrant !== undefined &&
    !config.allowInsecureDescriptor
  ) {
    security.free();
    throw new TransportError(
      'EINVAL',
      `${address}: the security descriptor lets other users serve instances of this pipe: ${security.unsafeGrant}. Grant others at most 0x12018b (read, write data, write attributes), or pass allowInsecureDescriptor: true if that is what you mean`,
      { address },
    );
  }
  const slots: Slot[] = [];
  try {
    // Wine does not enforce FILE_FLAG_FIRST_PIPE_INSTANCE; this probe makes
    // "address in use" hold there too. Real Windows also fails the flag below.
    const state = isListening(address) ? 'listening' : probe(address);
    // Connections a closed listener of ours accepted keep the name alive: join them.
    const joining = state === 'busy' && holdsConnections(address);
    if (state === 'listening' || (state === 'busy' && !joining)) {
      throw new TransportError('EADDRINUSE', describeError('EADDRINUSE', address), { address });
    }
    for (let i = 0; i < config.pendingInstances; i++) {
      const connect = ConnectOperation.create();
      try {
        slots.push({
          pipe: createInstanceForListen(address, security, i === 0 && !joining),
          connect,
          done: undefined,
        });
      } catch (err) {
        connect.free();
        throw err;
      }
    }
  } catch (err) {
    for (const slot of slots) {
      win32().CloseHandle(slot.pipe);
      slot.connect.free();
    }
    security.free();
    throw toTransportError(err, 'listen', address);
  }
  const listener = new NamedPipeListener(address, security, slots, config.signal);
  startListening(address);
  listener.start();
  return listener;
}

/**
 * Creates an instance of `address` and, unless it is the first (whose
 * `FILE_FLAG_FIRST_PIPE_INSTANCE` guarantees a new pipe), reads its owner
 * back: a non-first instance joins whatever pipe has the name, and if that is
 * not ours (someone took the name while only our connections held it) we
 * must not serve it.
 * @throws {Win32CallError}, or {@link TransportError} `EADDRINUSE`
 */
function createOwnInstance(address: string, security: PipeSecurity, first: boolean): Handle {
  const handle = createPipeInstance(address, security, first);
  if (first) return handle;
  let owner: string | undefined;
  try {
    owner = pipeOwnerSid(handle);
  } catch (err) {
    win32().CloseHandle(handle);
    throw err;
  }
  if (owner !== security.owner) {
    win32().CloseHandle(handle);
    throw new TransportError(
      'EADDRINUSE',
      describeError(
        'EADDRINUSE',
        address,
        `another server has this pipe name: a new instance of it is owned by ${owner ?? 'nobody'}, not by ${security.owner}; localwire does not serve it — choose another name`,
      ),
      { address },
    );
  }
  return handle;
}

function createInstanceForListen(address: string, security: PipeSecurity, first: boolean): Handle {
  try {
    return createOwnInstance(address, security, first);
  } catch (err) {
    // The first instance fails with ACCESS_DENIED (or PIPE_BUSY when the
    // owner capped its instances) exactly when someone else has the name.
    if (
      first &&
      err instanceof Win32CallError &&
      (err.winError === ERROR_ACCESS_DENIED || err.winError === ERROR_PIPE_BUSY)
    ) {
      throw win32Error('listen', err.syscall, err.winError, address, 'EADDRINUSE');
    }
    throw err;
  }
}
