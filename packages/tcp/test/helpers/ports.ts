import { Worker } from 'node:worker_threads';

// A worker that binds port 0 on a host, reads the port the OS chose, closes
// it and reports it through shared memory, so that a synchronous caller (the
// conformance suite's createAddress) can wait for it with Atomics.wait.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const state = new Int32Array(workerData);
const report = (port) => { Atomics.store(state, 1, port); Atomics.store(state, 0, 1); Atomics.notify(state, 0); };
parentPort.on('message', (host) => {
  const server = net.createServer();
  server.once('error', () => report(-1));
  server.listen({ host, port: 0, exclusive: true }, () => {
    const { port } = server.address();
    server.close(() => report(port));
  });
});`;

const state = new Int32Array(new SharedArrayBuffer(8));
let worker: Worker | undefined;

/**
 * A port on `host` (127.0.0.1 or ::1) that was free a moment ago: the OS
 * chose it for a listen on port 0, which was then closed.
 */
export function freePort(host: '127.0.0.1' | '::1'): number {
  if (!worker) {
    worker = new Worker(WORKER, { eval: true, workerData: state.buffer });
    worker.unref();
  }
  Atomics.store(state, 0, 0);
  worker.postMessage(host);
  if (Atomics.wait(state, 0, 0, 10_000) === 'timed-out') throw new Error('no free port in 10 s');
  const port = Atomics.load(state, 1);
  if (port <= 0) throw new Error(`could not listen on ${host} port 0`);
  return port;
}

/** A fresh `host:port` (or `[::1]:port`) address on loopback. */
export function freeAddress(host: '127.0.0.1' | '::1'): string {
  const port = freePort(host);
  return host === '::1' ? `[::1]:${port}` : `127.0.0.1:${port}`;
}
