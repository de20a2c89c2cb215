/** Command-line parsing shared by the commands: `node:util` `parseArgs` plus value checks. */

import type { RpcParams } from '@localwire/rpc-server';
import type { Access } from '@localwire/transport';
import { type Codec, contentLength, ndjson } from '@localwire/transport/framing';
import { UsageError } from './errors.js';

/** How long `call` waits by default, and how long `watch` waits to connect. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The `--help`/`-h` option every command takes. */
export const helpOption = { help: { type: 'boolean', short: 'h' } } as const;

/** `--address`, taken by every command that serves or connects. */
export const addressOption = { address: { type: 'string', short: 'a' } } as const;

/** `--reconnect` and `--wait`, taken by the commands that connect and stay a while. */
export const connectFlagOptions = {
  reconnect: { type: 'boolean', default: false },
  wait: { type: 'boolean', default: false },
} as const;

/** `--codec`, taken by every command that serves or connects. */
export const codecOption = { codec: { type: 'string', default: 'ndjson' } } as const;

/**
 * Runs `parse` (a `parseArgs` call), turning what it throws (an unknown
 * option, a missing value, a stray positional) into a {@link UsageError}.
 */
export function parseCommandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\s*\n\s*/g, ' '));
  }
}

/**
 * The whole number `text` stands for, from `min` to `max`.
 * @throws {UsageError} naming `flag` when `text` is anything else.
 */
export function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new UsageError(
      `${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`,
    );
  }
  return value;
}

const codecs: Readonly<Record<string, Codec>> = { ndjson, 'content-length': contentLength };

/**
 * The framing codec named `name`: `ndjson` or `content-length`.
 * @throws {UsageError} for any other name.
 */
export function parseCodec(name: string): Codec {
  const codec = Object.hasOwn(codecs, name) ? codecs[name] : undefined;
  if (codec === undefined) {
    throw new UsageError(
      `--codec must be ${Object.keys(codecs).join(' or ')}, not ${JSON.stringify(name)}`,
    );
  }
  return codec;
}

/**
 * Who may connect: `user` or `everyone`.
 * @throws {UsageError} for anything else.
 */
export function parseAccess(text: string): Access {
  if (text === 'user' || text === 'everyone') return text;
  throw new UsageError(`--access must be user or everyone, not ${JSON.stringify(text)}`);
}

/**
 * A request's params from the command line. An array or object is sent as
 * it is; any other JSON value is sent as the one positional param, so
 * `call echo '"hi"'` sends `["hi"]`.
 * @throws {UsageError} when `text` is not JSON.
 */
export function parseParams(text: string): RpcParams {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `params must be JSON, e.g. '[1, 2]', '{"a": 1, "b": 2}' or '"text"' — ${JSON.stringify(text)} is not (${why})`,
    );
  }
  return typeof value === 'object' && value !== null ? (value as RpcParams) : [value];
}
