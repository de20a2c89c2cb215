/**
 * Waiting for a kernel event without occupying a thread: Windows' own wait
 * threads watch the events (`RegisterWaitForSingleObject`, up to 63 per
 * thread) and call one koffi-registered callback, which koffi queues onto the
 * JS thread. A blocking koffi `.async` call would instead pin one of libuv's
 * four thread-pool threads per wait, starving fs, dns and every other
 * `.async` call.
 */
import { type Handle, type Out, type Pointer, type WaitCallback, win32 } from './bindings.js';
import { Win32CallError } from './win32-errors.js';

const INFINITE = 0xffffffff;
const WT_EXECUTEONLYONCE = 0x8;
// Our callback blocks its pool thread until the JS thread runs it: tell the pool.
const WT_EXECUTELONGFUNCTION = 0x10;

interface Waiting {
  readonly waitHandle: Handle;
  readonly onSignalled: () => void;
}

const waiting = new Map<number, Waiting>();
let nextId = 1;
/** The registered {@link dispatch}: koffi 3 hands it out as a function pointer. */
let callback: Pointer | undefined;
let keepAlive: NodeJS.Timeout | undefined;

/** Runs on the JS thread; returns at once so the Windows pool thread is freed. */
const dispatch: WaitCallback = (context) => {
  setImmediate(() => {
    const entry = waiting.get(context);
    if (entry === undefined) return;
    waiting.delete(context);
    // A one-shot wait must still be unregistered to free it. UnregisterWait
    // never blocks (ERROR_IO_PENDING if our callback is still returning).
    win32().UnregisterWait(entry.waitHandle);
    if (waiting.size === 0) {
      clearInterval(keepAlive);
      keepAlive = undefined;
    }
    entry.onSignalled();
  });
};

/**
 * Calls `onSignalled` once, on the JS thread, when `event` becomes signalled.
 * While any wait is outstanding the process stays alive, as it does for a
 * listening `net.Server`.
 * @throws {Win32CallError} if Windows refuses the wait.
 */
export function waitOnce(event: Handle, onSignalled: () => void): void {
  const w = win32();
  callback ??= w.koffi.register(dispatch, w.WaitCallbackPointer);
  const id = nextId++;
  const waitHandle: Out<Handle> = [0];
  const flags = WT_EXECUTEONLYONCE | WT_EXECUTELONGFUNCTION;
  if (!w.RegisterWaitForSingleObject(waitHandle, event, callback, id, INFINITE, flags)) {
    throw new Win32CallError('RegisterWaitForSingleObject', w.GetLastError());
  }
  waiting.set(id, { waitHandle: waitHandle[0], onSignalled });
  // koffi's callback queue does not keep the event loop alive; a timer does.
  keepAlive ??= setInterval(() => {}, 2 ** 30);
}
