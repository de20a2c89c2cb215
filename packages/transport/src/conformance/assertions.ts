import { expect } from 'vitest';
import { displayAddress, TransportError, type TransportErrorCode } from '../errors.js';

/**
 * Awaits `operation`, expects it to reject with a {@link TransportError}
 * whose `code` is one of `codes`, whose `address` is `address` and whose
 * message names the address; returns that error.
 */
export async function expectTransportError(
  operation: Promise<unknown>,
  codes: readonly TransportErrorCode[],
  address: string,
): Promise<TransportError> {
  let error: unknown;
  try {
    await operation;
  } catch (err) {
    error = err;
  }
  expect(error, `expected a TransportError with code ${codes.join(' or ')}`).toBeInstanceOf(
    TransportError,
  );
  const err = error as TransportError;
  expect(codes, err.message).toContain(err.code);
  expect(err.address).toBe(address);
  expect(mentions(err.message, address), `the message names ${address}: ${err.message}`).toBe(true);
  return err;
}

/**
 * Whether `message` names `address`: as {@link displayAddress} shows it, or
 * JSON-quoted (a NUL byte, a backslash).
 */
function mentions(message: string, address: string): boolean {
  return (
    message.includes(displayAddress(address)) ||
    message.includes(JSON.stringify(address).slice(1, -1))
  );
}
