import type { Connection } from '@localwire/transport';
import { type Codec, contentLength, ndjson } from '@localwire/transport/framing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectRpc, createRpcServer, type RpcClient, RpcError } from '../../src/index.js';
import { tempAddress } from '../helpers/address.js';
import { until } from '../helpers/rpc.js';
import { transport } from '../helpers/transport.js';
import { within } from './processes.js';

/**
 * Issue 7, fuzzing end to end: many clients send the server random bytes —
 * valid, invalid and oversized requests, batches, responses nobody asked
 * for, deep nesting, garbage, invalid UTF-8 — cut anywhere, then end, drop
 * or never read. Meanwhile a well-behaved client calls the server without
 * pause, and every one of its calls must succeed with the right answer.
 */

const MAX_MESSAGE = 128 * 1024;
const MAX_BATCH = 50;

const t = (text: string) => Buffer.from(text);
const id = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.constant(null));
const params = fc.oneof(
  fc.constant(undefined),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);
const request = fc
  .record({
    id: fc.option(id, { nil: undefined }),
    method: fc.constantFrom('echo', 'later', 'fail', 'nope', '__proto__', 'toString', 'rpc.x'),
    params,
  })
  .map(({ id, method, params }) => ({ jsonrpc: '2.0', id, method, params }));
const strayMessage = fc.oneof(
  request,
  fc.array(fc.oneof(request, fc.jsonValue({ maxDepth: 1 })), { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.record({ jsonrpc: fc.constant('2.0'), id, result: fc.jsonValue({ maxDepth: 1 }) }),
  fc.record({
    jsonrpc: fc.constant('2.0'),
    id: fc.constant(null),
    error: fc.record({ code: fc.integer(), message: fc.string({ maxLength: 8 }) }),
  }),
  fc.constant(
    Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'echo' })),
  ),
);

/** One piece of what a hostile client writes, framed (or not) for `codec`. */
function piece(codec: Codec): fc.Arbitrary<Buffer> {
  const frame = (body: Buffer) =>
    codec === ndjson
      ? Buffer.concat([body, t('\n')])
      : Buffer.concat([t(`Content-Length: ${body.length}\r\n\r\n`), body]);
  return fc.oneof(
    { weight: 6, arbitrary: strayMessage.map((m) => frame(t(JSON.stringify(m) ?? 'null'))) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 40_000 })
        .map((depth) =>
          frame(
            t(
              `{"jsonrpc":"2.0","id":"deep","method":"echo","params":${'['.repeat(depth)}${']'.repeat(depth)}}`,
            ),
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constant(
        codec === ndjson
          ? t(`{"jsonrpc":"2.0","id":1,"method":"echo","params":["${'x'.repeat(MAX_MESSAGE)}"]}\n`)
          : t(`Content-Length: ${MAX_MESSAGE + 1}\r\n\r\n`),
      ),
    },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b)) },
    {
      weight: 2,
      arbitrary: fc
        .array(
          fc.constantFrom(
            t('{'),
            t('}'),
            t('['),
            t('"'),
            t('\\'),
            t(','),
            t('\n'),
            t('\r\n\r\n'),
            t('Content-Length: '),
            t('Content-Length: 5\r\n\r\n'),
            t('{"jsonrpc":"2.0","id":7,"method":"echo","params":["'),
            Buffer.from([0xff]),
            Buffer.from([0xc0, 0x80]),
            Buffer.from([0xe2, 0x82]),
            Buffer.from([0xed, 0xa0, 0x80]),
            t('é𝄞'),
          ),
          { maxLength: 12 },
        )
        .map((parts) => Buffer.concat(parts)),
    },
  );
}

const behaviour = fc.constantFrom('end', 'destroy', 'leave', 'never-read');

function hostileClient(codec: Codec) {
  return fc.record({
    pieces: fc.array(piece(codec), { minLength: 1, maxLength: 8 }),
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
    behaviour,
  });
}
type Hostile = { pieces: Buffer[]; cuts: number[]; behaviour: string };

/** Whether `message` is a JSON-RPC 2.0 response (or a batch of them), as the server must send. */
function isResponse(message: unknown): boolean {
  if (Array.isArray(message)) return message.length > 0 && message.every(isResponse);
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  if (m.jsonrpc !== '2.0' || !('id' in m) || 'result' in m === 'error' in m) return false;
  if (!('error' in m)) return true;
  const error = m.error as Record<string, unknown>;
  return Number.isInteger(error.code) && typeof error.message === 'string';
}

/** Runs one hostile client to its end; returns what it received, or why it failed. */
async function attack(address: string, codec: Codec, h: Hostile): Promise<{ bytes: number }> {
  const connection: Connection = await transport.connect(address);
  connection.on('error', () => {});
  const received: Buffer[] = [];
  const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
  if (h.behaviour === 'never-read') connection.pause();
  else connection.on('data', (chunk: Buffer) => received.push(chunk));
  const bytes = Buffer.concat(h.pieces);
  const cuts = h.cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (connection.destroyed) break;
    connection.write(bytes.subarray(from, at));
    from = at;
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Byte-mode named pipes cannot half-close (connection.halfClose === false):
  // there the hostile client can only leave by destroying its end.
  if (h.behaviour === 'end' && (connection.halfClose ?? transport.capabilities.halfClose)) {
    connection.end();
    // Ended, the client gets its answers and then the server's close: never a hang.
    await within(closed, 30_000, 'the server to close a half-closed client');
  } else {
    await new Promise((resolve) => setTimeout(resolve, 5));
    connection.destroy();
    await closed;
  }
  // Whatever the server sent is well-framed JSON-RPC responses.
  const decoder = codec.createDecoder({ maxMessageSize: 64 * 1024 * 1024 });
  decoder.push(Buffer.concat(received));
  decoder.end();
  for (let r = decoder.next(); r !== undefined; r = decoder.next()) {
    if (!r.ok) throw new Error(`the server sent unreadable bytes: ${r.error.message}`);
    if (!isResponse(r.message))
      throw new Error(`the server sent ${JSON.stringify(r.message).slice(0, 200)}`);
  }
  return { bytes: bytes.length };
}

/** The well-behaved client: calls `echo` until stopped, checking every answer. */
function startCalls(client: RpcClient) {
  const state = { calls: 0, failures: [] as unknown[], stopped: false, done: Promise.resolve() };
  state.done = (async () => {
    for (let i = 0; !state.stopped && i < 10_000_000; i++) {
      const sent = [i, 'é𝄞\n"\\', { nested: [i, null, true] }];
      try {
        const answer = await client.request('echo', sent);
        if (JSON.stringify(answer) !== JSON.stringify(sent)) {
          state.failures.push(new Error(`wrong answer to call ${i}: ${JSON.stringify(answer)}`));
        }
        state.calls++;
      } catch (error) {
        state.failures.push(error);
      }
    }
  })();
  return state;
}

/** Under Wine (named pipes) every connection costs more: fewer rounds keep the run bounded. */
const ROUNDS = process.platform === 'win32' ? 6 : 30;

describe('end-to-end fuzz (issue 7)', () => {
  it.each([ndjson, contentLength])(
    'a server under random bytes from many clients keeps answering a well-behaved client ($name)',
    async (codec) => {
      const address = tempAddress();
      const errors: unknown[] = [];
      const server = createRpcServer({
        codec,
        limits: {
          maxMessageSize: MAX_MESSAGE,
          maxBatchSize: MAX_BATCH,
          maxBufferedBytes: 256 * 1024,
        },
        onError: (error) => errors.push(error),
        methods: {
          echo: (p: unknown) => p,
          later: async (p: unknown) => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            return p;
          },
          fail: () => {
            throw new RpcError(1, 'refused');
          },
        },
      });
      await server.listen(transport, address);
      const good = await connectRpc(transport, address, { codec, requestTimeout: 30_000 });
      const calls = startCalls(good);
      let hostile = 0;
      let hostileBytes = 0;
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(hostileClient(codec), { minLength: 8, maxLength: 16 }),
            async (clients) => {
              const before = calls.calls;
              const results = await Promise.all(clients.map((h) => attack(address, codec, h)));
              hostile += clients.length;
              for (const r of results) hostileBytes += r.bytes;
              // Served throughout: the good client got answers, all right.
              await until(() => calls.calls > before, 'the good client to be answered');
              expect(calls.failures).toEqual([]);
              await until(() => server.connections === 1, 'the hostile connections to close');
            },
          ),
          { numRuns: ROUNDS },
        );
      } finally {
        calls.stopped = true;
        await calls.done;
        await good.close();
        await server.close({ timeout: 1000 });
      }
      expect(calls.failures).toEqual([]);
      // What the server reported is what hostile input causes, never its own failure.
      const unexpected = errors.filter(
        (e) =>
          // Errors it sent without an id, reported one a second, then counted.
          !(e instanceof Error && e.message.startsWith('the peer reported')) &&
          !String(e).includes('does not read') &&
          !(e instanceof RangeError && /call stack/.test(e.message)),
      );
      expect(unexpected).toEqual([]);
      console.log(
        `e2e fuzz (${codec.name}): ${hostile} hostile clients sent ${hostileBytes} bytes; the good client made ${calls.calls} calls, ${calls.failures.length} failed; ${errors.length} errors reported`,
      );
    },
    180_000,
  );
});
