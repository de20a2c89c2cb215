import type { Connection } from '@localwire/transport';
import { type Codec, contentLength, ndjson } from '@localwire/transport/framing';
import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectRpc } from '../src/index.js';
import { tempAddress } from './helpers/address.js';
import { deferred, startServer, until } from './helpers/rpc.js';
import { connectRaw, transport } from './helpers/transport.js';

/**
 * The requests, notifications and success answers whose JSON text the
 * endpoint puts together itself (message-text.ts) must go out exactly as
 * `JSON.stringify` writes the message object: these tests read the bytes
 * off the connection and compare them with that.
 */

/** `ndjson` without `frame`: a codec as one written before `frame` existed. */
const withoutFrame: Codec = {
  name: 'ndjson-without-frame',
  createDecoder: (options) => ndjson.createDecoder(options),
  encode: (message) => ndjson.encode(message),
};

const codecs: Array<[string, Codec]> = [
  ['ndjson', ndjson],
  ['content-length', contentLength],
  ['a codec without frame', withoutFrame],
];

/** Results that are not JSON values as they stand: what JSON.stringify makes of each is the answer's text. */
const awkward: unknown[] = [
  3,
  -0,
  1e21,
  Number.NaN,
  'a "quoted"\n\u2028 é 😀 \ud800',
  null,
  undefined,
  { keep: 1, gone: undefined, method() {} },
  [undefined, () => 1, Symbol('s')],
  new Date(0),
  { toJSON: (key: string) => `under ${JSON.stringify(key)}` },
  { inner: { toJSON: (key: string) => `under ${JSON.stringify(key)}` } },
  Object.assign(Object.create(null), { bare: true }),
  new Map([[1, 2]]),
  new String('boxed'),
];

/** The frames `codec` writes for these messages, one after the other. */
function framesOf(codec: Codec, messages: unknown[]): string {
  return messages.map((message) => codec.encode(message)).join('');
}

/** The text `socket` has received so far, and how many messages of `codec` it holds. */
function received(
  socket: NodeJS.ReadableStream,
  codec: Codec,
): { text: () => string; count: () => number } {
  let text = '';
  let count = 0;
  const decoder = codec.createDecoder();
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    decoder.push(chunk);
    while (decoder.next() !== undefined) count++;
  });
  return { text: () => text, count: () => count };
}

/** Params that are not JSON values as they stand, for the requests a client sends. */
const awkwardParams: Array<readonly unknown[] | object | undefined> = [
  [1, 'x', undefined, () => 1],
  { keep: 2, gone: undefined },
  undefined,
  { toJSON: (key: string) => [`under ${key}`] },
  new Date(0),
  Object.assign(Object.create(null), { bare: true }),
];

/** A client on `codec` and what the server side of its connection receives. */
async function clientWatched(codec: Codec) {
  const address = tempAddress();
  const listener = await transport.listen(address);
  onTestFinished(() => listener.close());
  const accepted = deferred<Connection>();
  listener.once('connection', accepted.resolve);
  const client = await connectRpc(transport, address, { codec });
  onTestFinished(() => client.close());
  return { client, got: received(await accepted.promise, codec) };
}

describe('the text of the messages each call sends', () => {
  it.each(codecs)(
    'answers with what JSON.stringify makes of the answer, over %s',
    async (_, codec) => {
      const { address } = await startServer({
        codec,
        methods: { awkward: ([k]: [number]) => awkward[k], echo: ([value]: [unknown]) => value },
      });
      const socket = connectRaw(address);
      onTestFinished(() => {
        socket.destroy();
      });
      const got = received(socket, codec);
      const ids = [7, 'a "string" id \u2028', null];
      const requests = awkward.map((_, k) => ({
        jsonrpc: '2.0',
        id: ids[k % ids.length],
        method: 'awkward',
        params: [k],
      }));
      socket.write(framesOf(codec, requests));
      const expected = framesOf(
        codec,
        requests.map(({ id }, k) => ({ jsonrpc: '2.0', id, result: awkward[k] ?? null })),
      );
      await until(() => got.count() === requests.length, 'the answers');
      expect(got.text()).toBe(expected);
    },
  );

  it.each(codecs)(
    'answers a batch with what JSON.stringify makes of its array of answers, over %s',
    async (_, codec) => {
      const { address } = await startServer({
        codec,
        methods: { awkward: ([k]: [number]) => awkward[k] },
      });
      const socket = connectRaw(address);
      onTestFinished(() => {
        socket.destroy();
      });
      const got = received(socket, codec);
      const ids = [7, 'a "string" id \u2028', null];
      // Every awkward result, with a notification, an unknown method and an
      // entry that is not a request among them: answers of each kind side by side.
      const batch: unknown[] = awkward.map((_, k) => ({
        jsonrpc: '2.0',
        id: ids[k % ids.length],
        method: 'awkward',
        params: [k],
      }));
      batch.splice(3, 0, { jsonrpc: '2.0', method: 'awkward', params: [0] });
      batch.splice(6, 0, { jsonrpc: '2.0', id: 'gone', method: 'no such method' });
      batch.splice(9, 0, 42);
      socket.write(codec.encode(batch));
      const answers: unknown[] = awkward.map((_, k) => ({
        jsonrpc: '2.0',
        id: ids[k % ids.length],
        result: awkward[k] ?? null,
      }));
      await until(() => got.count() === 1, 'the answers');
      const text = got.text();
      const decoder = codec.createDecoder();
      decoder.push(Buffer.from(text));
      const decoded = decoder.next();
      if (decoded?.ok !== true) throw new Error(`not one message: ${text}`);
      // The two error answers' texts are the server's own; the rest is exact.
      const message = decoded.message as Array<{ id: unknown; error?: { code: number } }>;
      expect(message[5]).toMatchObject({ id: 'gone', error: { code: -32601 } });
      expect(message[8]).toMatchObject({ id: null, error: { code: -32600 } });
      answers.splice(5, 0, message[5]);
      answers.splice(8, 0, message[8]);
      expect(text).toBe(codec.encode(answers));
    },
  );

  it('answers any JSON value with what JSON.stringify makes of the answer', async () => {
    const { address } = await startServer({ methods: { echo: ([value]: [unknown]) => value } });
    const socket = connectRaw(address);
    onTestFinished(() => {
      socket.destroy();
    });
    const got = received(socket, ndjson);
    let expected = '';
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer(), fc.string()), fc.jsonValue(), async (id, value) => {
        socket.write(ndjson.encode({ jsonrpc: '2.0', id, method: 'echo', params: [value] }));
        expected += ndjson.encode({ jsonrpc: '2.0', id, result: value });
        sent++;
        await until(() => got.count() === sent, 'the answer');
        expect(got.text()).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('answers a BigInt result with the text its toJSON gives it under "result"', async () => {
    // A common shim for BigInt results (JSON has no form for them).
    Object.defineProperty(BigInt.prototype, 'toJSON', {
      value(this: bigint, key: string) {
        return `${this} under ${JSON.stringify(key)}`;
      },
      configurable: true,
    });
    onTestFinished(() => {
      delete (BigInt.prototype as { toJSON?: unknown }).toJSON;
    });
    const { address } = await startServer({ methods: { big: () => 2n ** 70n } });
    const socket = connectRaw(address);
    onTestFinished(() => {
      socket.destroy();
    });
    const got = received(socket, ndjson);
    socket.write(ndjson.encode({ jsonrpc: '2.0', id: 1, method: 'big' }));
    await until(() => got.count() === 1, 'the answer');
    expect(got.text()).toBe(
      '{"jsonrpc":"2.0","id":1,"result":"1180591620717411303424 under \\"result\\""}\n',
    );
  });

  it.each(codecs)('sends a batch as JSON.stringify writes its array, over %s', async (_, codec) => {
    const { client, got } = await clientWatched(codec);
    const method = 'a "method" é \u2028';
    // Each params as a request and as a notification, two methods in turn.
    const calls = awkwardParams.flatMap((p, k) => [
      { method: k % 2 === 0 ? method : 'other', params: p as unknown[] },
      { method: 'other', params: p as unknown[], notification: true },
    ]);
    void client.batch(calls).catch(() => {});
    let id = 0;
    const expected = calls.map((call) =>
      call.notification
        ? { jsonrpc: '2.0', method: call.method, params: call.params }
        : { jsonrpc: '2.0', method: call.method, params: call.params, id: ++id },
    );
    await until(() => got.count() === 1, 'the batch');
    expect(got.text()).toBe(codec.encode(expected));
  });

  it.each(codecs)(
    'sends requests and notifications as JSON.stringify writes them, over %s',
    async (_, codec) => {
      const { client, got } = await clientWatched(codec);
      // Two methods in turn, so that no method's text is taken for another's.
      const method = 'a "method" é \u2028';
      const other = 'other';
      const expected: unknown[] = [];
      awkwardParams.forEach((p, k) => {
        void client.request(method, p).catch(() => {});
        expected.push({ jsonrpc: '2.0', method, params: p, id: k + 1 });
        client.notify(other, p);
        expected.push({ jsonrpc: '2.0', method: other, params: p });
      });
      await until(() => got.count() === expected.length, 'the requests');
      expect(got.text()).toBe(framesOf(codec, expected));
    },
  );
});
