/**
 * Server-side pipe instances and the overlapped `ConnectNamedPipe` that waits
 * on each for a client.
 */
import { type Handle, INVALID_HANDLE_VALUE, type Out, type Pointer, win32 } from './bindings.js';
import type { PipeSecurity } from './security.js';
import { waitOnce } from './wait.js';
import {
  ERROR_BROKEN_PIPE,
  ERROR_IO_PENDING,
  ERROR_NO_DATA,
  ERROR_OPERATION_ABORTED,
  ERROR_PIPE_CONNECTED,
  Win32CallError,
} from './win32-errors.js';

const PIPE_ACCESS_DUPLEX = 0x3;
const FILE_FLAG_OVERLAPPED = 0x40000000;
const FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
const PIPE_TYPE_BYTE = 0x0;
const PIPE_READMODE_BYTE = 0x0;
const PIPE_WAIT = 0x0;
export const PIPE_REJECT_REMOTE_CLIENTS = 0x8;
const PIPE_UNLIMITED_INSTANCES = 255;
/** In and out buffer size: a hint; libuv reads in 64 KiB chunks too. */
const BUFFER_SIZE = 64 * 1024;

/**
 * The `dwOpenMode` and `dwPipeMode` {@link createPipeInstance} passes to
 * `CreateNamedPipeW`. Only `first` varies them: no listen option (`access`,
 * `securityDescriptor`, `pendingInstances`) reaches the modes, so every
 * instance refuses remote clients (`PIPE_REJECT_REMOTE_CLIENTS`). Exported
 * because Windows has no call that reads that flag back (`GetNamedPipeInfo`
 * and `GetNamedPipeHandleState` do not report it, nor does Wine).
 */
export function pipeInstanceModes(first: boolean): { openMode: number; pipeMode: number } {
  return {
    openMode:
      PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
    pipeMode: PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
  };
}

/**
 * Creates one server end of `name`, duplex, overlapped and in byte mode,
 * refusing remote clients. `first` asks Windows to fail if the name exists
 * already (`FILE_FLAG_FIRST_PIPE_INSTANCE`, answered with
 * `ERROR_ACCESS_DENIED`); Wine ignores that flag, so listen probes first.
 * @throws {Win32CallError}
 */
export function createPipeInstance(name: string, security: PipeSecurity, first: boolean): Handle {
  const w = win32();
  const { openMode, pipeMode } = pipeInstanceModes(first);
  const handle = w.CreateNamedPipeW(
    name,
    openMode,
    pipeMode,
    PIPE_UNLIMITED_INSTANCES,
    BUFFER_SIZE,
    BUFFER_SIZE,
    0,
    security.attributes,
  );
  if (handle === INVALID_HANDLE_VALUE) {
    throw new Win32CallError('CreateNamedPipeW', w.GetLastError());
  }
  return handle;
}

/**
 * How one `ConnectNamedPipe` ended: a client is `connected`; it came and went
 * before we looked (`gone`: disconnect and listen again); or the wait was
 * `aborted` by `CancelIoEx`.
 */
export type ConnectOutcome = 'connected' | 'gone' | 'aborted';

/**
 * The event and `OVERLAPPED` one accept slot reuses for every
 * `ConnectNamedPipe` it issues. The `OVERLAPPED` lives in koffi-allocated
 * memory because the kernel writes it when the operation completes, long after
 * the call returned; it is freed only once no operation is in flight.
 */
export class ConnectOperation {
  readonly #event: Handle;
  readonly #overlapped: Pointer;

  private constructor(event: Handle, overlapped: Pointer) {
    this.#event = event;
    this.#overlapped = overlapped;
  }

  /** @throws {Win32CallError} */
  static create(): ConnectOperation {
    const w = win32();
    // Manual-reset and unsignalled, as an OVERLAPPED event must be.
    const event = w.CreateEventW(null, 1, 0, null);
    if (event === 0) throw new Win32CallError('CreateEventW', w.GetLastError());
    return new ConnectOperation(event, w.koffi.alloc(w.OVERLAPPED, 1) as Pointer);
  }

  /**
   * Starts waiting for a client on `pipe`. On `'pending'`, call
   * {@link ConnectOperation.whenDone} and then {@link ConnectOperation.outcome}.
   * @throws {Win32CallError}
   */
  start(pipe: Handle): ConnectOutcome | 'pending' {
    const w = win32();
    w.ResetEvent(this.#event);
    w.koffi.encode(this.#overlapped, w.OVERLAPPED, {
      Internal: 0,
      InternalHigh: 0,
      Offset: 0,
      OffsetHigh: 0,
      hEvent: this.#event,
    });
    // Non-zero: a client was connected at once.
    if (w.ConnectNamedPipe(pipe, this.#overlapped)) return 'connected';
    const winError = w.GetLastError();
    return winError === ERROR_IO_PENDING ? 'pending' : outcomeOf('ConnectNamedPipe', winError);
  }

  /** Calls `callback` on the JS thread once the pending operation has completed or been cancelled. */
  whenDone(callback: () => void): void {
    waitOnce(this.#event, callback);
  }

  /** How the operation ended; call only after {@link ConnectOperation.whenDone} fired. */
  outcome(pipe: Handle): ConnectOutcome {
    const w = win32();
    const transferred: Out<number> = [0];
    if (w.GetOverlappedResult(pipe, this.#overlapped, transferred, 0)) return 'connected';
    return outcomeOf('GetOverlappedResult', w.GetLastError());
  }

  /** Cancels a pending operation on `pipe`; {@link ConnectOperation.whenDone} still fires. */
  cancel(pipe: Handle): void {
    win32().CancelIoEx(pipe, this.#overlapped);
  }

  /** Frees the event and the `OVERLAPPED`: only when no operation is in flight. */
  free(): void {
    const w = win32();
    w.CloseHandle(this.#event);
    w.koffi.free(this.#overlapped);
  }
}

function outcomeOf(syscall: string, winError: number): ConnectOutcome {
  switch (winError) {
    // The client opened the pipe before ConnectNamedPipe was called: connected.
    case ERROR_PIPE_CONNECTED:
      return 'connected';
    // The client came and went before we looked: recycle the instance.
    case ERROR_NO_DATA:
    case ERROR_BROKEN_PIPE:
      return 'gone';
    case ERROR_OPERATION_ABORTED:
      return 'aborted';
    default:
      throw new Win32CallError(syscall, winError);
  }
}
