import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseAddress } from '../../src/index.js';

// A server in another process that listens with a backlog of 1 and then
// blocks its event loop, so it accepts nothing: once its accept queue is
// full, the kernel drops every further SYN and a connect waits.
const BUSY_SERVER = `
const [host, port] = JSON.parse(process.argv[1]);
const server = require('node:net').createServer();
server.listen({ host, port, backlog: 1 }, () => {
  require('node:fs').writeSync(1, 'listening\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});`;

/**
 * `makeBusy` for the conformance suite: the blocked server at `address`,
 * filled with the connections its accept queue holds (Linux: backlog + 1).
 */
export async function makeBusy(address: string): Promise<() => Promise<void>> {
  const { host, port } = parseAddress(address);
  const child = spawn(process.execPath, ['-e', BUSY_SERVER, JSON.stringify([host, port])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const fillers: Socket[] = [];
  const release = async () => {
    for (const socket of fillers) socket.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await firstLine(child);
    for (let i = 0; i < 2; i++) {
      const socket = connect({ host, port });
      socket.on('error', () => {});
      fillers.push(socket);
      await once(socket, 'connect');
    }
    return release;
  } catch (err) {
    await release();
    throw err;
  }
}

async function firstLine(child: ChildProcess): Promise<string> {
  for await (const line of createInterface({ input: child.stdout! })) return line;
  throw new Error(`the busy server exited (${child.exitCode ?? child.signalCode})`);
}
