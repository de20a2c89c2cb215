/**
 * The methods the example server offers. Each checks its params (a bad one is
 * answered `-32602 Invalid params`) and takes them by position or by name.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  createSubscriptions,
  type RpcContext,
  RpcError,
  RpcErrorCode,
  type RpcMethods,
} from '@localwire/rpc-server';

/** Longest `sleep` accepted, in milliseconds (ten minutes). */
export const MAX_SLEEP_MS = 600_000;

/** Longest tick interval accepted, in milliseconds (one hour). */
export const MAX_INTERVAL_MS = 3_600_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The params as a list in the order of `names`, from `[x, y]` or
 * `{ "x": …, "y": … }`: exactly those, no more, no fewer.
 * @throws {Error} saying what was expected (the server answers `-32602`).
 */
function takeParams(params: unknown, names: readonly string[]): unknown[] {
  if (Array.isArray(params) && params.length === names.length) return params;
  if (
    isRecord(params) &&
    Object.keys(params).length === names.length &&
    names.every((name) => Object.hasOwn(params, name))
  ) {
    return names.map((name) => params[name]);
  }
  const byName = names.map((name) => `"${name}": …`).join(', ');
  throw new Error(`expected [${names.join(', ')}] or { ${byName} }`);
}

/** `value` if it is a whole number from `min` to `max`. @throws {Error} otherwise. */
function wholeNumber(value: unknown, what: string, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  throw new Error(`${what} must be a whole number from ${min} to ${max}`);
}

const echo = {
  params: (params: unknown) => takeParams(params, ['value'])[0],
  handler: (value: unknown) => value,
};

const add = {
  params: (params: unknown): [number, number] => {
    const [a, b] = takeParams(params, ['a', 'b']);
    if (typeof a !== 'number' || typeof b !== 'number') {
      throw new Error('a and b must be numbers');
    }
    return [a, b];
  },
  handler: ([a, b]: [number, number]) => a + b,
};

const sleep = {
  params: (params: unknown) => wholeNumber(takeParams(params, ['ms'])[0], 'ms', 0, MAX_SLEEP_MS),
  handler: async (ms: number, context: RpcContext) => {
    try {
      return await delay(ms, ms, { signal: context.signal });
    } catch {
      // The connection closed: nobody is left to answer.
      throw new RpcError(RpcErrorCode.InternalError, 'the connection closed during sleep');
    }
  },
};

// The caller's credentials, as the transport read them when it connected.
const whoami = (_params: unknown, context: RpcContext) => context.peer ?? null;

/**
 * `subscribe("ticks", intervalMs)` and `unsubscribe(id)`: each subscription
 * gets notifications `{ subscription, result: n }` with n = 1, 2, 3… every
 * `intervalMs`, until it is unsubscribed or its connection closes.
 */
function tickMethods(): RpcMethods {
  const subscriptions = createSubscriptions({
    topics: ['ticks'],
    onSubscribe(subscription) {
      const interval = tickInterval(subscription.args);
      let n = 0;
      const timer = setInterval(() => subscriptions.send(subscription, ++n), interval);
      return () => clearInterval(timer);
    },
  });
  return subscriptions.methods;
}

/** The interval of `subscribe("ticks", intervalMs)`. @throws {RpcError} `-32602` otherwise. */
function tickInterval(args: readonly unknown[]): number {
  try {
    if (args.length !== 1) throw new Error('expected ["ticks", intervalMs]');
    return wholeNumber(args[0], 'intervalMs', 1, MAX_INTERVAL_MS);
  } catch (err) {
    throw new RpcError(RpcErrorCode.InvalidParams, `Invalid params: ${(err as Error).message}`);
  }
}

/**
 * The example's methods: `echo(value)`, `add(a, b)`, `sleep(ms)`,
 * `subscribe("ticks", intervalMs)`, `unsubscribe(id)` and `whoami()`.
 * Call it once per server: the subscriptions are the server's own.
 */
export function createMethods(): RpcMethods {
  return { echo, add, sleep, ...tickMethods(), whoami };
}
