import type { Duplex } from 'node:stream';

/**
 * Reads exactly `length` bytes from `stream`. Bytes past `length` are pushed
 * back, and the stream is paused again, so the next reader gets them.
 * Rejects if the stream ends or fails first.
 */
export function readExactly(stream: Duplex, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      stream.pause();
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      const needed = length - received;
      chunks.push(chunk.subarray(0, needed));
      received += Math.min(chunk.length, needed);
      if (received < length) return;
      cleanup();
      if (chunk.length > needed) stream.unshift(chunk.subarray(needed));
      resolve(Buffer.concat(chunks));
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`the stream ended after ${received} of ${length} bytes`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    if (length === 0) {
      resolve(Buffer.alloc(0));
      return;
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

/** Reads everything until EOF. Rejects if the stream fails or closes without EOF. */
export function readToEnd(stream: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the stream closed without an EOF'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    if (stream.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    stream.on('error', onError);
    stream.resume();
  });
}

/** Writes `chunk`, resolving once it has been handed to the OS. */
export function write(stream: Duplex, chunk: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}
