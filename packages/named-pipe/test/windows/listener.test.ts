import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Connection, isTransportError, type Listener } from '@localwire/transport';
import { nextConnection, readExactly } from '@localwire/transport/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import { INVALID_HANDLE_VALUE, win32 } from '../../src/bindings.js';
import { namedPipeTransport } from '../../src/index.js';
import { holdConnection } from '../../src/names.js';
import { createPipeSecurity } from '../../src/security.js';
import { echo, pipeName, roundTrip } from './helpers.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(...args: Parameters<typeof namedPipeTransport.listen>): Promise<Listener> {
  const listener = echo(await namedPipeTransport.listen(...args));
  cleanups.push(() => listener.close());
  return listener;
}

async function connect(name: string) {
  const client = await namedPipeTransport.connect(name);
  cleanups.push(() => client.destroy());
  return client;
}

describe('listen', () => {
  it('accepts clients and echoes through libuv sockets', async () => {
    const name = pipeName('echo');
    await listen(name);
    const clients = await Promise.all([1, 2, 3, 4, 5, 6].map(() => connect(name)));
    const replies = await Promise.all(clients.map((c, i) => roundTrip(c, `hello ${i}`)));
    expect(replies).toEqual(clients.map((_, i) => `hello ${i}`));
  });

  it('gives a second server on the same name EADDRINUSE', async () => {
    const name = pipeName('twice');
    await listen(name);
    const err = await namedPipeTransport.listen(name).catch((e: unknown) => e);
    expect(isTransportError(err, 'EADDRINUSE')).toBe(true);
    expect((err as Error).message).toContain(name);
  });

  it("gives EADDRINUSE for a name Node's own net server holds", async () => {
    const name = pipeName('node-server');
    const server = net.createServer((socket) => socket.pipe(socket));
    server.listen(name);
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const err = await namedPipeTransport.listen(name).catch((e: unknown) => e);
    expect(isTransportError(err, 'EADDRINUSE')).toBe(true);
  });

  it('close cancels the pending waits, later connects get ENOENT, and the name can be taken again', async () => {
    const name = pipeName('close');
    const listener = await namedPipeTransport.listen(name, { pendingInstances: 4 });
    expect(listener.listening).toBe(true);
    let closed = false;
    listener.once('close', () => {
      closed = true;
    });
    await listener.close();
    expect(closed).toBe(true);
    expect(listener.listening).toBe(false);
    await listener.close();

    const err = await namedPipeTransport.connect(name).catch((e: unknown) => e);
    expect(isTransportError(err, 'ENOENT')).toBe(true);
    expect((err as { winError?: number }).winError).toBe(2);

    await listen(name);
    expect(await roundTrip(await connect(name), 'again')).toBe('again');
  });

  it('listens again on a name that connections of the closed listener still hold', async () => {
    const name = pipeName('rejoin');
    const first = await listen(name);
    const accepted = nextConnection(first);
    const early = await connect(name);
    await accepted;
    await first.close();
    // The accepted connection keeps the name alive: a new client finds it busy.
    const refused = await namedPipeTransport
      .connect(name, { timeout: 300 })
      .catch((e: unknown) => e);
    expect(isTransportError(refused, 'ETIMEDOUT')).toBe(true);

    await listen(name);
    expect(await roundTrip(await connect(name), 'new listener')).toBe('new listener');
    expect(await roundTrip(early, 'old connection')).toBe('old connection');
    // With the new listener up, the name is in use again.
    const again = await namedPipeTransport.listen(name).catch((e: unknown) => e);
    expect(isTransportError(again, 'EADDRINUSE')).toBe(true);
  });

  it('refuses to serve a pipe of another owner that it would join as a non-first instance', async () => {
    // Another account's server has the name, and a client holds its only
    // instance, so the name looks busy. Our process also believes it still
    // holds connections there (the bookkeeping a listener's leftover
    // connections keep; set by hand here, since on Windows the pipe object
    // itself would be ours while they are open): listen joins the name with
    // instances created without FILE_FLAG_FIRST_PIPE_INSTANCE, and those
    // read back another owner.
    const name = pipeName('join-foreign');
    const w = win32();
    const foreign = createPipeSecurity('O:BUD:P(A;;GA;;;WD)');
    const server = w.CreateNamedPipeW(
      name,
      0x40000003,
      0x8,
      255,
      4096,
      4096,
      0,
      foreign.attributes,
    );
    foreign.free();
    expect(server).not.toBe(INVALID_HANDLE_VALUE);
    cleanups.push(() => w.CloseHandle(server));
    const holder = w.CreateFileW(name, 0x80000000, 0, null, 3, 0, 0);
    expect(holder).not.toBe(INVALID_HANDLE_VALUE);
    cleanups.push(() => w.CloseHandle(holder));
    cleanups.push(holdConnection(name));

    const err = await namedPipeTransport.listen(name).catch((e: unknown) => e);
    expect(isTransportError(err, 'EADDRINUSE'), String(err)).toBe(true);
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toContain('owned by S-1-5-32-545');
  });

  it('recycles instances whose client came and went before the accept (ERROR_NO_DATA)', async () => {
    const name = pipeName('gone');
    const listener = await namedPipeTransport.listen(name, { pendingInstances: 2 });
    cleanups.push(() => listener.close());
    // The instances exist as soon as listen resolves; the accept loop arms
    // them a moment later. Clients that open and close both before that
    // leave instances that ConnectNamedPipe reports as ERROR_NO_DATA.
    const w = win32();
    for (let i = 0; i < 2; i++) {
      const handle = w.CreateFileW(name, 0x80000000, 0, null, 3, 0, 0);
      expect(handle).not.toBe(INVALID_HANDLE_VALUE);
      w.CloseHandle(handle);
    }
    const accepted: Connection[] = [];
    const errors: Error[] = [];
    listener.on('connection', (connection) => accepted.push(connection));
    listener.on('error', (err) => errors.push(err));
    echo(listener);
    const client = await connect(name);
    expect(await roundTrip(client, 'still here')).toBe('still here');
    expect(accepted).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('closes when its signal aborts, and refuses an aborted signal up front', async () => {
    const name = pipeName('signal');
    const controller = new AbortController();
    const listener = await namedPipeTransport.listen(name, { signal: controller.signal });
    const closed = once(listener, 'close');
    controller.abort();
    await closed;
    expect(listener.listening).toBe(false);

    const err = await namedPipeTransport
      .listen(name, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(isTransportError(err, 'ABORT_ERR')).toBe(true);
  });

  it('refuses bad names and options with EINVAL', async () => {
    for (const name of [
      '',
      'pipe',
      '\\\\.\\pipe\\',
      '\\\\server\\pipe\\x',
      `\\\\.\\pipe\\${'x'.repeat(250)}`,
    ]) {
      const err = await namedPipeTransport.listen(name).catch((e: unknown) => e);
      expect(isTransportError(err, 'EINVAL'), name).toBe(true);
    }
    for (const pendingInstances of [0, 65, 1.5]) {
      const err = await namedPipeTransport
        .listen(pipeName(), { pendingInstances })
        .catch((e: unknown) => e);
      expect(isTransportError(err, 'EINVAL')).toBe(true);
    }
  });
});

describe('peer', () => {
  it("on the server is the client process's pid (a child process using Node's net client)", async () => {
    const name = pipeName('pid');
    const listener = await namedPipeTransport.listen(name);
    cleanups.push(() => listener.close());
    const accepted = nextConnection(listener);
    const child = spawn(
      process.execPath,
      [
        '-e',
        "const s = require('net').connect(process.argv[1], () => s.end(String(process.pid)))",
        name,
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(() => child.kill());
    const connection = await accepted;
    let text = '';
    for await (const chunk of connection) text += chunk;
    expect(Number(text)).toBe(child.pid);
    expect(connection.peer?.pid).toBe(child.pid);
  });

  it("on the client is the server's pid", async () => {
    const name = pipeName('server-pid');
    await listen(name);
    const client = await connect(name);
    expect(client.peer?.pid).toBe(process.pid);
  });
});

describe('byte-mode pipes have no half-close', () => {
  it('end() only finishes writing: the ender still reads, and the peer sees EOF once it is destroyed', async () => {
    const name = pipeName('half');
    const listener = await namedPipeTransport.listen(name);
    cleanups.push(() => listener.close());
    const accepted = nextConnection(listener);
    const client = await connect(name);
    const server = await accepted;
    let serverEnded = false;
    server.once('end', () => {
      serverEnded = true;
    });
    client.end('request');
    await once(client, 'finish');
    expect((await readExactly(server, 7)).toString()).toBe('request');
    // Longer than libuv's 50 ms end-of-file timer, which would have closed the ender by now.
    await sleep(200);
    server.write('a slow reply');
    expect((await readExactly(client, 12)).toString()).toBe('a slow reply');
    expect(serverEnded).toBe(false);
    const closed = once(server, 'close');
    client.end(() => client.destroy());
    await closed;
    expect(serverEnded).toBe(true);
  });

  it('end(() => destroy()) after a large write delivers every byte before the EOF', async () => {
    const name = pipeName('drain');
    const listener = await namedPipeTransport.listen(name);
    cleanups.push(() => listener.close());
    const accepted = nextConnection(listener);
    const client = await connect(name);
    const server = await accepted;
    const payload = Buffer.alloc(4 * 1024 * 1024, 'x');
    server.write(payload);
    server.end(() => server.destroy());
    const chunks: Buffer[] = [];
    for await (const chunk of client) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
  });
});
