import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RawClient, startServer } from './helpers/rpc.js';

/**
 * Property: whatever mix of requests, notifications, invalid messages and
 * batches a client sends, however it is separated and split into writes, the
 * server gives exactly the answers the spec calls for.
 */

const id = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null));
const params = fc.oneof(
  fc.constant(undefined),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

type Message = { text: unknown; expect: unknown };
const error = (answerId: unknown, code: number) => ({ jsonrpc: '2.0', id: answerId, code });

const roundTrip = (value: unknown) =>
  value === undefined ? null : JSON.parse(JSON.stringify(value));

const entry: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ id, params }).map(({ id, params }) => ({
    text: { jsonrpc: '2.0', id, method: 'echo', params },
    expect: { jsonrpc: '2.0', id, result: roundTrip(params) },
  })),
  params.map((params) => ({
    text: { jsonrpc: '2.0', method: 'echo', params },
    expect: undefined,
  })),
  id.map((id) => ({
    text: { jsonrpc: '2.0', id, method: 'nope' },
    expect: error(id, -32601),
  })),
  fc
    .oneof(
      fc.constant<unknown>(null),
      fc.integer(),
      id.map((id) => ({ jsonrpc: '1.0', id, method: 'echo' })),
      id.map((id) => ({ jsonrpc: '2.0', id, method: 7 })),
    )
    .map((text) => {
      const own = typeof text === 'object' && text !== null ? (text as { id: unknown }).id : null;
      return { text, expect: error(own, -32600) };
    }),
);

const message: fc.Arbitrary<Message> = fc.oneof(
  { weight: 3, arbitrary: entry },
  {
    weight: 1,
    arbitrary: fc.array(entry, { maxLength: 5 }).map((entries) => {
      if (entries.length === 0) return { text: [], expect: error(null, -32600) };
      const answers = entries.map((e) => e.expect).filter((e) => e !== undefined);
      return { text: entries.map((e) => e.text), expect: answers.length ? answers : undefined };
    }),
  },
);

/** An answer with the error message left out, which the spec leaves to the server. */
function normalize(answer: unknown): unknown {
  if (Array.isArray(answer)) return answer.map(normalize);
  const { error: e, ...rest } = answer as { error?: { code: number } };
  return e === undefined ? rest : { ...rest, code: e.code };
}

describe('property: answers per the spec, however the input is split', () => {
  it('holds for random message mixes, separators and chunkings', async () => {
    const { address } = await startServer({ methods: { echo: (p: unknown) => p } });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ message, separator: fc.constantFrom('\n', '', ' ', '\r\n', '\n\n') }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (items, cutSeeds) => {
          // Bare values (`7`, `null`) need a separator, or two would read as one.
          const separated = (i: (typeof items)[number]) =>
            typeof i.message.text === 'object' && i.message.text !== null ? i.separator : '\n';
          const bytes = Buffer.from(
            `${items.map((i) => JSON.stringify(i.message.text) + separated(i)).join('')}\n`,
          );
          const cuts = cutSeeds.map((seed) => seed % (bytes.length + 1)).sort((a, b) => a - b);
          const expected = items.map((i) => i.message.expect).filter((e) => e !== undefined);
          const c = await RawClient.connect(address);
          let from = 0;
          for (const at of [...cuts, bytes.length]) {
            c.send(bytes.subarray(from, at));
            from = at;
            await new Promise((resolve) => setImmediate(resolve));
          }
          let timer: NodeJS.Timeout | undefined;
          const answers = (
            await Promise.race([
              c.take(expected.length),
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new Error('answers missing')), 5000);
              }),
            ]).finally(() => clearTimeout(timer))
          ).map(normalize);
          c.socket.destroy();
          const key = (value: unknown) => JSON.stringify(value);
          expect(answers.map(key).sort()).toEqual(expected.map(key).sort());
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
