// The bulk-throughput protocol, shared by the Unix-socket and named-pipe
// benchmarks (it needs no half-close, which byte-mode pipes lack): the
// client sends an 8-byte little-endian length, then that many bytes; the
// server counts them and answers one byte, `k`, once all have arrived.
import { once } from 'node:events';

/**
 * Serves the bulk protocol on `connection`, any number of times in a row.
 * @param {import('node:stream').Duplex} connection
 */
export function serveBulk(connection) {
  let expected = -1;
  let received = 0;
  /** @type {Buffer[]} */
  let header = [];
  connection.on('error', () => {});
  connection.on('data', (/** @type {Buffer} */ chunk) => {
    received += chunk.length;
    if (expected < 0) {
      header.push(chunk);
      if (received < 8) return;
      const head = header.length === 1 ? header[0] : Buffer.concat(header);
      header = [];
      expected = 8 + Number(head.readBigUInt64LE(0));
    }
    if (received >= expected) {
      connection.write('k');
      received -= expected;
      expected = -1;
    }
  });
}

/**
 * Sends `bytes` bytes in `chunkSize` writes, honouring backpressure, and
 * resolves with the milliseconds from the first write to the server's answer.
 * @param {import('node:stream').Duplex} connection
 * @param {number} bytes a multiple of `chunkSize`
 * @param {number} chunkSize
 * @returns {Promise<number>}
 */
export async function sendBulk(connection, bytes, chunkSize) {
  const chunk = Buffer.alloc(chunkSize, 0x61);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(bytes));
  const answered = once(connection, 'data');
  const start = performance.now();
  connection.write(head);
  for (let sent = 0; sent < bytes; sent += chunkSize) {
    if (!connection.write(chunk)) await once(connection, 'drain');
  }
  await answered;
  return performance.now() - start;
}
