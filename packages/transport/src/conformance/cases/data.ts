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
    'a paused connection reads ahead a bounded amount; the rest waits with the writer (either end)',
    async () => {
      const { client, server } = await connectedPair(suite.harness());
      for (const [reader, writer, seed] of [
        [server, client, 0xb0b],
        [client, server, 0xa11ce],
      ] as const) {
        reader.pause();
        // One write far larger than any OS buffer: a transport that read it
        // all in while paused (libuv does on named pipes, left alone) would
        // hold it all in memory, and backpressure would bound nothing.
        const total = 32 * MiB;
        writer.write(new Pattern(seed).next(total));
        await settled(() => reader.readableLength);
        expect(reader.readableLength).toBeLessThan(4 * MiB);
        expect(writer.writableLength).toBeGreaterThan(total - 8 * MiB);
        // Resumed, every byte arrives in order.
        await verifyPattern(reader, seed, total);
      }
    },
  );

  suite.test(
    "either end's reads keep their order and form through pause and resume, setEncoding, two listeners and async iteration",
    async () => {
      const { client, server } = await connectedPair(suite.harness());
      for (const [reader, writer] of [
        [client, server],
        [server, client],
      ] as const) {
        const seen: Array<Buffer | string> = [];
        const collect = (chunk: Buffer | string) => seen.push(chunk);
        const text = () => seen.join('');
        reader.on('data', collect);
        writer.write('a1');
        await until(() => text() === 'a1');
        expect(reader.readableDidRead).toBe(true);
        // Paused, nothing is emitted: what arrives waits in the stream, in order.
        reader.pause();
        writer.write('b2');
        await until(() => reader.readableLength === 2);
        expect(text()).toBe('a1');
        reader.resume();
        writer.write('c3');
        await until(() => text() === 'a1b2c3');
        // A second listener sees the same bytes as the first.
        const second: Buffer[] = [];
        const collectSecond = (chunk: Buffer) => second.push(chunk);
        reader.on('data', collectSecond);
        writer.write('d4');
        await until(() => text() === 'a1b2c3d4');
        expect(Buffer.concat(second).toString()).toBe('d4');
        reader.off('data', collectSecond);
        // With an encoding, chunks arrive as strings, a character split between writes joined.
        const chunksAsBytes = seen.length;
        reader.setEncoding('utf8');
        const euro = Buffer.from('€');
        await write(writer, euro.subarray(0, 1));
        await new Promise((resolve) => setTimeout(resolve, 20));
        writer.write(euro.subarray(1));
        await until(() => text().endsWith('€'));
        expect(seen.slice(chunksAsBytes).every((chunk) => typeof chunk === 'string')).toBe(true);
        expect(text()).toBe('a1b2c3d4€');
        reader.off('data', collect);
      }
      // Async iteration reads what was written, in order.
      client.pause();
      client.setEncoding('latin1');
      const iterated: string[] = [];
      const iterating = (async () => {
        for await (const chunk of client) {
          iterated.push(chunk as string);
          if (iterated.join('').length >= 6) break;
        }
      })();
      await write(server, 'e5');
      await write(server, 'f6g7');
      await iterating;
      expect(iterated.join('')).toBe('e5f6g7');
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

/** A connection's two ends, at a fresh address. */
async function connectedPair(h: Harness): Promise<{ client: Connection; server: Connection }> {
  const address = h.address();
  const accepted = nextConnection(await h.listen(address));
  const client = await h.connect(address);
  return { client, server: await accepted };
}

/** Resolves once `condition()` holds, checking every 5 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
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
