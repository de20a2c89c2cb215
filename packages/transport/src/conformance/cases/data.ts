import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { expect } from 'vitest';
import type { Connection } from '../../types.js';
import { Pattern, verifyPattern, writePattern } from '../pattern.js';
import { readExactly, readToEnd, write } from '../streams.js';
import { nextConnection, type Suite } from '../suite.js';

/** Moving bytes: echo, many connections at once, a large transfer, half-close. */
export function dataCases(suite: Suite): void {
  suite.test('listen, connect and exchange data both ways', async () => {
    const h = suite.harness();
    const address = h.address();
    const listener = await h.listen(address);
    expect(listener.address).toBe(address);
    expect(listener.listening).toBe(true);
    const accepted = nextConnection(listener);
    const client = await h.connect(address);
    const server = await accepted;
    for (const connection of [client, server]) {
      expect(connection).toBeInstanceOf(Duplex);
      expect('peer' in connection).toBe(true);
      const size = connection.preferredWriteSize;
      if (size !== undefined) expect(Number.isInteger(size) && size > 0).toBe(true);
    }
    for (const round of [1, 2]) {
      for (const [name, from, to] of [
        ['client', client, server],
        ['server', server, client],
      ] as const) {
        const text = `round ${round}, from the ${name}`;
        await write(from, text);
        expect((await readExactly(to, Buffer.byteLength(text))).toString()).toBe(text);
      }
    }
  });

  suite.test('100 concurrent connections each get their own data back', async () => {
    const h = suite.harness();
    const address = h.address();
    const listener = await h.listenEcho(address);
    let accepted = 0;
    listener.on('connection', () => accepted++);
    const count = 100;
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const client = await h.connect(address);
        const payload = Buffer.concat([
          Buffer.from(`client ${i}:`),
          new Pattern(i + 1).next(1024 + i * 97),
        ]);
        const echoed = readExactly(client, payload.length);
        client.write(payload);
        expect((await echoed).equals(payload), `client ${i} got its own bytes back`).toBe(true);
        client.destroy();
      }),
    );
    expect(accepted).toBe(count);
  });

  suite.test('a large transfer arrives intact and in order', async () => {
    const h = suite.harness();
    const address = h.address();
    await h.listenEcho(address);
    const client = await h.connect(address);
    const total = suite.options.largeTransferBytes;
    // Sent and echoed back at once: both directions carry `total` bytes, and
    // every byte is checked at its position.
    await Promise.all([writePattern(client, 0x5eed, total), verifyPattern(client, 0x5eed, total)]);
  });

  suite.test(
    'a paused connection reads ahead a bounded amount; the rest waits with the writer',
    async () => {
      const h = suite.harness();
      const address = h.address();
      const listener = await h.listen(address);
      const accepted = nextConnection(listener);
      const client = await h.connect(address);
      const server = await accepted;
      server.pause();
      // One write far larger than any OS buffer: a transport that read it all
      // in while paused (libuv does on named pipes, left alone) would hold it
      // all in memory, and backpressure would bound nothing.
      const total = 32 * MiB;
      client.write(new Pattern(0xb0b).next(total));
      await settled(() => server.readableLength);
      expect(server.readableLength).toBeLessThan(4 * MiB);
      expect(client.writableLength).toBeGreaterThan(total - 8 * MiB);
      // Resumed, every byte arrives in order.
      await verifyPattern(server, 0xb0b, total);
    },
  );

  suite.test('half-close behaves as capabilities.halfClose declares', async () => {
    const h = suite.harness();
    // Each connection says so too, for code that has the connection only.
    const address = h.address();
    const listener = await h.listen(address);
    const accepted = nextConnection(listener);
    const client = await h.connect(address);
    for (const connection of [client, await accepted]) {
      expect(connection.halfClose ?? true).toBe(h.transport.capabilities.halfClose);
    }
    if (h.transport.capabilities.halfClose) {
      await expectHalfClose(h, 'client');
      await expectHalfClose(h, 'server');
    } else {
      await expectEofOnlyOnClose(h);
    }
  });
}

type Harness = ReturnType<Suite['harness']>;

const MiB = 1024 * 1024;

/** Resolves once `measure()` has stayed the same for ten checks 20 ms apart. */
async function settled(measure: () => number): Promise<void> {
  let last = measure();
  for (let same = 0; same < 10; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = measure();
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

/** `first` ends its write side; the other side sees EOF and still replies. */
async function expectHalfClose(h: Harness, first: 'client' | 'server'): Promise<void> {
  const address = h.address();
  const listener = await h.listen(address);
  const accepted = nextConnection(listener);
  const client = await h.connect(address);
  const server = await accepted;
  const [ender, replier] = first === 'client' ? [client, server] : [server, client];
  ender.end(`${first} is done writing`);
  expect((await readToEnd(replier)).toString()).toBe(`${first} is done writing`);
  replier.end('a reply after EOF');
  expect((await readToEnd(ender)).toString()).toBe('a reply after EOF');
}

/**
 * Without half-close, `end()` does not reach the peer: the ender can still
 * read, and the peer sees EOF only once the ender's handle is closed.
 */
async function expectEofOnlyOnClose(h: Harness): Promise<void> {
  const address = h.address();
  const listener = await h.listen(address);
  const accepted = nextConnection(listener);
  const client = await h.connect(address);
  const server: Connection = await accepted;
  let clientClosed = false;
  const eof = new Promise<boolean>((resolve) => {
    const seen = () => resolve(clientClosed);
    server.once('end', seen);
    server.once('close', seen);
  });
  client.end('request');
  expect((await readExactly(server, 7)).toString()).toBe('request');
  server.resume();
  await write(server, 'reply');
  expect((await readExactly(client, 5)).toString()).toBe('reply');
  clientClosed = true;
  client.destroy();
  await once(client, 'close');
  expect(await eof, 'the peer saw EOF only after the handle closed').toBe(true);
}
