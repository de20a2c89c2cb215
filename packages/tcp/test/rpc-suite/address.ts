import { freeAddress } from '../helpers/ports.js';

// Stands in for packages/rpc-server/test/helpers/address.ts when
// vitest.config.mjs runs the rpc-server suite over TCP or TLS.

let counter = 0;

/** A fresh loopback address for one test, on 127.0.0.1 and ::1 in turn. */
export function tempAddress(): string {
  counter++;
  return freeAddress(counter % 2 === 0 ? '::1' : '127.0.0.1');
}
