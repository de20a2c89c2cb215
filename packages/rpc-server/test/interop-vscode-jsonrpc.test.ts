import net from 'node:net';
import { contentLength } from '@localwire/transport/framing';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  createMessageConnection,
  ResponseError,
  SocketMessageReader,
  SocketMessageWriter,
} from 'vscode-jsonrpc/node';
import { type RpcContext, RpcError } from '../src/index.js';
import { startServer } from './helpers/rpc.js';

describe('interop: vscode-jsonrpc with content-length framing', () => {
  it('calls methods, gets errors, receives notifications and answers the server’s requests', async () => {
    const { address } = await startServer({
      codec: contentLength,
      methods: {
        add: ([a, b]: [number, number]) => a + b,
        describe: ({ text }: { text: string }) => ({ length: [...text].length, text }),
        refuse: () => {
          throw new RpcError(-32042, 'not today', { retry: true });
        },
        work: async (params: { steps: number }, context: RpcContext) => {
          for (let step = 1; step <= params.steps; step++) {
            context.notify('progress', { step });
          }
          const answer = await context.request<string>('window/ask', { question: 'ok?' });
          return `done, told ${answer}`;
        },
      },
    });

    const socket = net.connect(address);
    await new Promise((resolve) => socket.once('connect', resolve));
    const connection = createMessageConnection(
      new SocketMessageReader(socket),
      new SocketMessageWriter(socket),
    );
    onTestFinished(() => {
      connection.dispose();
      socket.destroy();
    });
    const progress: unknown[] = [];
    connection.onNotification('progress', (params: unknown) => {
      progress.push(params);
    });
    connection.onRequest(
      'window/ask',
      (params: { question: string }) => `yes to ${params.question}`,
    );
    connection.listen();

    expect(await connection.sendRequest('add', 20, 22)).toBe(42);
    expect(await connection.sendRequest('describe', { text: 'héllo 𝄞' })).toEqual({
      length: 7,
      text: 'héllo 𝄞',
    });
    const error = await connection.sendRequest('refuse').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error).toMatchObject({ code: -32042, message: 'not today', data: { retry: true } });
    await expect(connection.sendRequest('missing')).rejects.toMatchObject({ code: -32601 });

    expect(await connection.sendRequest('work', { steps: 3 })).toBe('done, told yes to ok?');
    expect(progress).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
  });
});
