import { once } from 'node:events';
import net from 'node:net';
import { isTransportError, type TransportError } from '@localwire/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { namedPipeTransport } from '../../src/index.js';
import { holdBusyPipe, pipeName, roundTrip } from './helpers.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as TransportError,
  );

describe('connect', () => {
  it('gets ENOENT when nothing listens, with the Win32 error kept', async () => {
    const name = pipeName('nobody');
    const err = await failure(namedPipeTransport.connect(name));
    expect(isTransportError(err, 'ENOENT')).toBe(true);
    expect(err.winError).toBe(2);
    expect(err.syscall).toBe('CreateFileW');
    expect(err.message).toContain(name);
  });

  it('refuses remote, malformed, empty and too long names with EINVAL before any system call', async () => {
    for (const name of [
      '\\\\server\\pipe\\x',
      '//server/pipe/x',
      'x',
      '\\\\.\\pipe\\',
      '',
      `\\\\.\\pipe\\${'x'.repeat(260)}`,
      '\\\\.\\pipe\\a\0b',
      '\\\\.\\pipe\\..\\UNC\\host\\pipe\\x',
      '\\\\.\\pipe\\app/x',
    ]) {
      const err = await failure(namedPipeTransport.connect(name));
      expect(isTransportError(err, 'EINVAL'), JSON.stringify(name)).toBe(true);
      expect(err.winError).toBeUndefined();
    }
  });

  it('refuses a negative timeout with EINVAL', async () => {
    const err = await failure(namedPipeTransport.connect(pipeName(), { timeout: -1 }));
    expect(isTransportError(err, 'EINVAL')).toBe(true);
  });

  it('waits while every instance is busy, then gives up with ETIMEDOUT', async () => {
    const name = pipeName('busy');
    const busy = holdBusyPipe(name);
    cleanups.push(() => busy.release());
    const err = await failure(namedPipeTransport.connect(name, { timeout: 300 }));
    expect(isTransportError(err, 'ETIMEDOUT')).toBe(true);
    expect(err.message).toContain(name);
  });

  it('waits while busy until its signal aborts, with ABORT_ERR', async () => {
    const name = pipeName('busy-abort');
    const busy = holdBusyPipe(name);
    cleanups.push(() => busy.release());
    const controller = new AbortController();
    const attempt = failure(namedPipeTransport.connect(name, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    expect(isTransportError(await attempt, 'ABORT_ERR')).toBe(true);
  });

  it('retries while busy and connects once an instance frees', async () => {
    const name = pipeName('busy-retry');
    const busy = holdBusyPipe(name);
    cleanups.push(() => busy.release());
    const attempt = namedPipeTransport.connect(name, { timeout: 30_000 });
    setTimeout(() => busy.freeInstance(), 200);
    const client = await attempt;
    cleanups.push(() => client.destroy());
    expect(client.peer?.pid).toBe(process.pid);
  });

  it('without a timeout or signal, gives a pipe that stays busy 5 s, then ECONNREFUSED', async () => {
    const name = pipeName('busy-forever');
    const busy = holdBusyPipe(name);
    cleanups.push(() => busy.release());
    const err = await failure(namedPipeTransport.connect(name));
    expect(isTransportError(err, 'ECONNREFUSED')).toBe(true);
    expect(err.winError).toBe(231);
    expect(err.message).toContain('busy for 5 s');
  });

  it('gets ENOENT when the busy server goes away while it waits', async () => {
    const name = pipeName('busy-gone');
    const busy = holdBusyPipe(name);
    const attempt = failure(namedPipeTransport.connect(name, { timeout: 30_000 }));
    setTimeout(() => busy.release(), 200);
    const err = await attempt;
    expect(isTransportError(err, 'ENOENT')).toBe(true);
  });

  it("talks to Node's own pipe server when told not to verify the owner", async () => {
    // Node gives its pipes the default descriptor: under Wine that has no
    // owner (on Windows: the user, or Administrators when elevated).
    const name = pipeName('node-server');
    const server = net.createServer((socket) => socket.pipe(socket));
    server.listen(name);
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const refused = await failure(namedPipeTransport.connect(name));
    expect(isTransportError(refused, 'EACCES')).toBe(true);
    const client = await namedPipeTransport.connect(name, { verifyOwner: false });
    cleanups.push(() => client.destroy());
    expect(await roundTrip(client, 'hello node')).toBe('hello node');
    expect(client.peer?.pid).toBe(process.pid);
  });
});
