/** The client side of the `ticks` subscription, shared by `watch` and `demo`. */
import { EventEmitter, on } from 'node:events';
import type { RpcClient } from '@localwire/rpc-server';
import { CliError, ExitCode } from './errors.js';

/** A live subscription to `ticks`. */
export interface Ticks extends AsyncIterable<number> {
  /** The subscription id the server gave. */
  readonly id: string;
  /** Ends the subscription; resolves with the server's answer (`true`). */
  unsubscribe(): Promise<boolean>;
}

interface Push {
  subscription: string;
  result: number;
}

function isPush(params: unknown): params is Push {
  const push = params as Push | null;
  return typeof push?.subscription === 'string' && typeof push.result === 'number';
}

/**
 * Subscribes to `ticks` every `intervalMs`. Iterate the result for the tick
 * numbers 1, 2, 3…: iteration ends when `signal` aborts, and fails with a
 * {@link CliError} if the connection closes first.
 */
export async function subscribeTicks(
  client: RpcClient,
  intervalMs: number,
  signal?: AbortSignal,
): Promise<Ticks> {
  // Pushes are queued from now on: one can arrive right behind the id.
  const pushes = new EventEmitter();
  const stopped = signal === undefined ? client.signal : AbortSignal.any([client.signal, signal]);
  const queue = on(pushes, 'push', { signal: stopped });
  const off = client.on('subscription', (params: unknown) => {
    if (isPush(params)) pushes.emit('push', params);
  });
  let id: string;
  try {
    id = await client.request<string>('subscribe', ['ticks', intervalMs]);
  } catch (error) {
    off();
    await queue.return?.();
    throw error;
  }
  return {
    id,
    async *[Symbol.asyncIterator]() {
      try {
        for await (const [push] of queue as AsyncIterableIterator<[Push]>) {
          if (push.subscription === id) yield push.result;
        }
      } catch (error) {
        if (!(signal?.aborted && (error as Error).name === 'AbortError')) {
          throw client.signal.aborted
            ? new CliError('the server closed the connection', ExitCode.failed, 'ECONNRESET')
            : error;
        }
      }
    },
    async unsubscribe() {
      off();
      await queue.return?.();
      return client.request<boolean>('unsubscribe', [id]);
    },
  };
}
