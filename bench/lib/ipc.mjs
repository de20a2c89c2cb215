// The child side of the orchestrator's IPC channel: requests `{ id, op, ... }`
// in, answers `{ id, ok, result | error }` out.

/**
 * @typedef {(request: Record<string, any>) => unknown} Handler
 */

/**
 * Answers the orchestrator's requests with `handlers[request.op]`. `exit`
 * is built in: it runs `onExit`, answers, then exits (so `--cpu-prof` writes
 * its profile). A child whose parent goes away exits too.
 * @param {Record<string, Handler>} handlers
 * @param {() => unknown} [onExit]
 */
export function answerRequests(handlers, onExit) {
  if (!process.send) throw new Error('this benchmark child must be started by bench/run.mjs');
  process.on('disconnect', () => process.exit(1));
  process.on('message', async (/** @type {Record<string, any>} */ request) => {
    const { id, op } = request;
    if (op === 'exit') {
      try {
        await onExit?.();
      } finally {
        process.send?.({ id, ok: true, result: null }, () => process.exit(0));
      }
      return;
    }
    try {
      const handler = handlers[op];
      if (!handler) throw new Error(`unknown request ${JSON.stringify(op)}`);
      const result = await handler(request);
      process.send?.({ id, ok: true, result });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.send?.({ id, ok: false, error: message });
    }
  });
}

/** Says the child is ready, on stdout, as the orchestrator waits for. */
export function announceReady(info = {}) {
  process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, ...info })}\n`);
}
