import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { expect } from 'vitest';
import type { Connection } from '../../types.js';
import { expectTransportError } from '../assertions.js';
import { readExactly } from '../streams.js';
import { expectEcho, type Suite } from '../suite.js';

const GONE = ['ENOENT', 'ECONNREFUSED'] as const;

/** A listener's life: in use, close, reuse, iteration, signal, connection churn. */
export function lifecycleCases(suite: Suite): void {
  suite.test('close() keeps open connections working and refuses new ones', async () => {
    const h = suite.harness();
    const address = h.address();
    const listener = await h.listenEcho(address);
    const client = await h.connect(address);
    await expectEcho(client, 'before close');
    let closeEvents = 0;
    listener.on('close', () => closeEvents++);
    await Promise.all([listener.close(), listener.close()]);
    await listener.close();
    expect(listener.listening).toBe(false);
    expect(closeEvents).toBe(1);
    await expectEcho(client, 'after close');
    await expectTransportError(h.connect(address), GONE, address);
  });

  suite.test('a second listen on an address in use fails with EADDRINUSE', async () => {
    const h = suite.harness();
    const address = h.address();
    const first = await h.listenEcho(address);
    await expectTransportError(h.listen(address), ['EADDRINUSE'], address);
    expect(first.listening).toBe(true);
    await expectEcho(await h.connect(address), 'the first listener still serves');
    await first.close();
    await h.listen(address);
  });

  suite.test('close() frees the address: listening there again succeeds', async () => {
    const h = suite.harness();
    const address = h.address();
    const first = await h.listen(address);
    await first.close();
    const second = await h.listenEcho(address);
    expect(second.listening).toBe(true);
    await expectEcho(await h.connect(address), 'served by the second listener');
  });

  suite.test('clients that connect and leave at once do not disturb the listener', async () => {
    const h = suite.harness();
    const address = h.address();
    const listener = await h.listenEcho(address);
    for (let i = 0; i < 50; i++) {
      const client = await h.connect(address);
      if (i % 2 === 1) client.write('a few bytes nobody reads');
      client.destroy();
    }
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        (await h.connect(address)).destroy();
      }),
    );
    expect(listener.listening).toBe(true);
    await expectEcho(await h.connect(address), 'still serving');
    expect(h.listenerErrors).toEqual([]);
  });

  suite.test('async iteration yields each connection and ends on close', async () => {
    const h = suite.harness();
    const address = h.address();
    const listener = await h.listen(address);
    const count = 3;
    const seen: Connection[] = [];
    let allArrived!: () => void;
    const arrived = new Promise<void>((resolve) => {
      allArrived = resolve;
    });
    const consumer = (async () => {
      for await (const connection of listener) {
        seen.push(connection);
        if (seen.length === count) allArrived();
      }
      return 'ended';
    })();
    for (let i = 0; i < count; i++) (await h.connect(address)).write(`client ${i}`);
    await arrived;
    const received = await Promise.all(seen.map((c) => readExactly(c, 8)));
    expect(received.map(String).sort()).toEqual(['client 0', 'client 1', 'client 2']);
    for (const connection of seen) expect(connection).toBeInstanceOf(Duplex);
    await listener.close();
    expect(await consumer).toBe('ended');
    const afterClose: Connection[] = [];
    for await (const connection of listener) afterClose.push(connection);
    expect(afterClose).toEqual([]);
  });

  suite.test('aborting the listen signal closes the listener and frees the address', async () => {
    const h = suite.harness();
    const address = h.address();
    const controller = new AbortController();
    const listener = await h.listen(address, { signal: controller.signal });
    const closed = once(listener, 'close');
    controller.abort();
    await closed;
    expect(listener.listening).toBe(false);
    await expectTransportError(h.connect(address), GONE, address);
    await h.listen(address);
  });

  suite.test('listen with an already-aborted signal rejects with ABORT_ERR', async () => {
    const h = suite.harness();
    const address = h.address();
    const signal = AbortSignal.abort(new Error('not wanted'));
    await expectTransportError(h.listen(address, { signal }), ['ABORT_ERR'], address);
    await expectTransportError(h.connect(address), GONE, address);
    await h.listen(address);
  });
}
