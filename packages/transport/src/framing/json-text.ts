import { FramingError } from './framing-error.js';
import type { DecodeResult } from './types.js';

/**
 * Compact JSON for one message.
 * @throws {TypeError} for a value JSON cannot represent (`undefined`, a function, a `BigInt`, a cycle).
 */
export function toJson(message: unknown): string {
  const json = JSON.stringify(message);
  if (json === undefined) throw new TypeError(`a ${typeof message} cannot be sent as JSON`);
  return json;
}

/** Parses one complete message; invalid JSON becomes a non-fatal `PARSE_ERROR`. */
export function parseMessage(text: string): DecodeResult {
  try {
    return { ok: true, message: JSON.parse(text) };
  } catch (err) {
    return parseError(`not valid JSON: ${(err as Error).message}`);
  }
}

/** A non-fatal `PARSE_ERROR` result. */
export function parseError(message: string): DecodeResult {
  return { ok: false, error: new FramingError('PARSE_ERROR', message, false) };
}
