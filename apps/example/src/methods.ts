/**
 * The methods the example server offers. Each takes its params by position or
 * by name, checked by a zod schema (a bad one is answered `-32602 Invalid
 * params`, with the schema's issues in `error.data.issues`); the types of
 * these schemas and handlers are the contract a typed client is checked
 * against (`connectRpc<ExampleMethods>`).
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  createSubscriptions,
  defineMethods,
  type RpcContext,
  RpcError,
  RpcErrorCode,
  type RpcMethods,
} from '@localwire/rpc-server';
import { z } from 'zod';

/** Longest `sleep` accepted, in milliseconds (ten minutes). */
export const MAX_SLEEP_MS = 600_000;

/** Longest tick interval accepted, in milliseconds (one hour). */
export const MAX_INTERVAL_MS = 3_600_000;

/** A whole number from `min` to `max`, with a message that says so. */
function wholeNumber(what: string, min: number, max: number) {
  const error = `${what} must be a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/**
 * Params `[x, y]` by position or `{ "x": …, "y": … }` by name (exactly those
 * keys): zod's union reports only "Invalid input" when neither form fits, so
 * say what is wrong with the form the caller used.
 */
function positionalOrNamed<Positional extends z.ZodTuple, Named extends z.ZodType>(
  positional: Positional,
  named: Named,
) {
  return z.union([positional, named], {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const [byPosition, byName] = issue.errors;
      return (Array.isArray(issue.input) ? byPosition : byName)?.[0]?.message;
    },
  });
}

const echo = {
  params: positionalOrNamed(
    z.tuple([z.json()]),
    z.strictObject({ value: z.json() }).transform(({ value }): [z.core.util.JSONType] => [value]),
  ),
  handler: ([value]: [z.core.util.JSONType]) => value,
};

const number = z.number({ error: 'a and b must be numbers' });
const add = {
  params: positionalOrNamed(
    z.tuple([number, number]),
    z.strictObject({ a: number, b: number }).transform(({ a, b }): [number, number] => [a, b]),
  ),
  handler: ([a, b]: [number, number]) => a + b,
};

const ms = wholeNumber('ms', 0, MAX_SLEEP_MS);
const sleep = {
  params: positionalOrNamed(
    z.tuple([ms]),
    z.strictObject({ ms }).transform(({ ms }): [number] => [ms]),
  ),
  // Stops when the call is cancelled (the caller gave up, or its connection
  // closed): the AbortError it then throws is answered -32800 Request cancelled.
  handler: ([ms]: [number], context: RpcContext) => delay(ms, ms, { signal: context.signal }),
};

// The caller's credentials, as the transport read them when it connected.
const whoami = (_params: unknown, context: RpcContext) => context.peer ?? null;

/** The methods whose types are declared by their schemas and handlers. */
const checkedMethods = defineMethods({ echo, add, sleep });

/**
 * `subscribe("ticks", intervalMs)` and `unsubscribe(id)`, as
 * `createSubscriptions` serves them: declared here, since its methods are
 * untyped (their names are options).
 */
interface TickMethods {
  subscribe(params: ['ticks', intervalMs: number]): string;
  unsubscribe(params: [id: string]): boolean;
}

/**
 * What the example server sends its clients: each tick of a subscription,
 * as `createSubscriptions` pushes it. A client typed with it,
 * `connectRpc<ExampleMethods, ExamplePushes>`, reads `subscribe('ticks', …)`
 * as numbers.
 */
export interface ExamplePushes {
  subscription(params: { subscription: string; result: number }): void;
}

/**
 * The example server's contract, for a typed client:
 * `connectRpc<ExampleMethods>(transport, address)`.
 */
export type ExampleMethods = typeof checkedMethods & TickMethods & { whoami: typeof whoami };

const tickArgs = z.tuple([wholeNumber('intervalMs', 1, MAX_INTERVAL_MS)], {
  error: 'expected ["ticks", intervalMs]',
});

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
  const parsed = tickArgs.safeParse(args);
  if (parsed.success) return parsed.data[0];
  // The args follow the topic, so the issues' paths would be off by one: say it in words.
  const why = parsed.error.issues.map((issue) => issue.message).join('; ');
  throw new RpcError(RpcErrorCode.InvalidParams, `Invalid params: ${why}`);
}

/**
 * The example's methods: `echo(value)`, `add(a, b)`, `sleep(ms)`,
 * `subscribe("ticks", intervalMs)`, `unsubscribe(id)` and `whoami()`.
 * Call it once per server: the subscriptions are the server's own.
 */
export function createMethods(): RpcMethods {
  return { ...checkedMethods, ...tickMethods(), whoami };
}
