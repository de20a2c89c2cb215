import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { readLine } from './child.js';

// An echo server in another process that listens with a tiny backlog and
// then blocks its event loop on a read from stdin, so it accepts nothing
// until the parent writes a byte there.
const BUSY_SERVER = `
const server = require('node:net').createServer((c) => c.pipe(c));
server.listen({ path: JSON.parse(process.argv[1]), backlog: 1 }, () => {
  require('node:fs').writeSync(1, 'listening\\n');
  require('node:fs').readSync(0, Buffer.alloc(1));
});`;

/** A server whose backlog is full, so a connect to it waits. */
export interface BusyServer {
  /** Lets the server accept again: the waiting connects go through. */
  resume(): void;
  /** Kills the server and ends the connections that filled its backlog. */
  release(): Promise<void>;
}

/**
 * Starts the blocked server at `address` and connects until the kernel
 * answers `EAGAIN`: its backlog is full.
 */
export async function startBusyServer(address: string): Promise<BusyServer> {
  // JSON-quoted: an abstract name's NUL cannot go in argv as it is.
  const child = spawn(process.execPath, ['-e', BUSY_SERVER, JSON.stringify(address)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const fillers: Socket[] = [];
  const busy: BusyServer = {
    resume: () => child.stdin!.write('x'),
    async release() {
      for (const socket of fillers) socket.destroy();
      await stop(child);
    },
  };
  try {
    const line = await readLine(child);
    if (line !== 'listening') throw new Error(`the busy server said ${line}`);
    // Linux queues backlog + 1 connections; a few more tries cover any OS.
    for (let i = 0; i < 16; i++) {
      const socket = connect({ path: address });
      const outcome = await new Promise<string | undefined>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
      });
      if (outcome === 'EAGAIN') return busy;
      if (outcome !== 'connected') throw new Error(`filling the busy server failed: ${outcome}`);
      socket.on('error', () => {});
      fillers.push(socket);
    }
    throw new Error('the busy server never filled its backlog');
  } catch (err) {
    await busy.release();
    throw err;
  }
}

/** `makeBusy` for the conformance suite. */
export async function makeBusy(address: string): Promise<() => Promise<void>> {
  const busy = await startBusyServer(address);
  return () => busy.release();
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
