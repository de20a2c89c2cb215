import { parseArgs } from 'node:util';
import {
  type BatchResult,
  connectRpc,
  type RpcClient,
  RpcError,
  type RpcParams,
} from '@localwire/rpc-server';
import { ndjson } from '@localwire/transport/framing';
import { helpOption, parseCommandLine } from '../args.js';
import { type Command, print } from '../command.js';
import { ExitCode } from '../errors.js';
import { privateAddress, transport, transportDescription } from '../platform.js';
import { describePeer, startServer } from '../server.js';

const name = 'demo';

/** No step of the tour should take nearly this long, even on a loaded machine. */
const STEP_TIMEOUT_MS = 10_000;

/** A value as the tour shows it: JSON, with a space after each `,` and `:`. */
function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${show(v)}`);
    return `{ ${fields.join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** One call of the tour: prints the request, then its result or error. */
async function step(client: RpcClient, method: string, params?: RpcParams): Promise<void> {
  print(`→ ${method}${params === undefined ? '' : ` ${show(params)}`}`);
  try {
    print(`← ${show(await client.request(method, params, { timeout: STEP_TIMEOUT_MS }))}`);
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    print(`← error ${error.code}: ${error.message}`);
  }
}

function showAnswer(answer: BatchResult | undefined): string {
  if (answer === undefined) return '(no answer)';
  return answer.ok ? show(answer.result) : `error ${answer.error.code}: ${answer.error.message}`;
}

async function tour(client: RpcClient): Promise<void> {
  print('\nA call is a method and its params, by position or by name:');
  await step(client, 'echo', ['hello, localwire']);
  await step(client, 'add', [2, 3]);
  await step(client, 'add', { a: 1.5, b: 2.5 });

  print('\nA batch sends several calls in one message; the answers come back together:');
  const calls = [
    { method: 'echo', params: ['one'] },
    { method: 'add', params: [40, 2] },
    { method: 'sleep', params: [50] },
  ];
  print(`→ batch ${calls.map((c) => `${c.method} ${show(c.params)}`).join(', ')}`);
  const answers = await client.batch(calls, { timeout: STEP_TIMEOUT_MS });
  print(`← [${answers.map(showAnswer).join(', ')}]`);

  print('\nA bad call is answered with a JSON-RPC error:');
  await step(client, 'add', ['two', 2]);

  print('\nA subscription pushes notifications { subscription, result } until it is cancelled:');
  print('→ subscribe ["ticks", 100]');
  const ticks = await client.subscribe<number>('ticks', [100]);
  print(`← ${show(ticks.id)}`);
  let seen = 0;
  for await (const n of ticks) {
    print(`  ↞ tick ${n}`);
    if (++seen === 3) break; // sends the unsubscribe
  }
  print(`→ unsubscribe ${show([ticks.id])}`);
  print(`← ${show(await ticks.unsubscribe())}`);

  print('\nThe server knows who called, from the OS:');
  await step(client, 'whoami');
}

/** `demo`: a server on a private address, a short tour of calls against it, a clean shutdown. */
export const demo: Command = {
  name,
  summary: 'start a private server, tour its methods, shut it down',
  usage: () => `Usage: localwire-example demo

Starts a server in this process on a fresh private address, connects to it,
and shows each step: calls by position and by name, a batch, a bad call and
its error, three ticks of a subscription, and whoami. Then it shuts the server
down and exits 0.

Options:
  -h, --help   show this help`,

  async run(argv) {
    const { values } = parseCommandLine(() =>
      parseArgs({ args: argv, options: helpOption, allowPositionals: false }),
    );
    if (values.help) {
      print(demo.usage());
      return ExitCode.ok;
    }
    const place = await privateAddress('demo');
    const { address } = place;
    try {
      // No server log here: the tour itself says what happens.
      const server = await startServer({
        transport,
        address,
        codec: ndjson,
        access: 'user',
        log: () => {},
      });
      try {
        print(`localwire demo: JSON-RPC 2.0 over ${transportDescription}`);
        print(`server  listening on ${address}`);
        const client = await connectRpc(transport, address, {
          connect: { timeout: STEP_TIMEOUT_MS },
        });
        print(`client  connected; the server is ${describePeer(client.connection.peer)}`);
        try {
          await tour(client);
        } finally {
          await client.close();
        }
      } finally {
        await server.close();
      }
      print(`\nserver  shut down cleanly; ${address} is free again`);
      return ExitCode.ok;
    } finally {
      await place.dispose();
    }
  },
};
