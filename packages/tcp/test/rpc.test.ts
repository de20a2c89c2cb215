import { connect, createServer, type Socket } from 'node:net';
import { connectRpc, createRpcServer, type RpcContext } from '@localwire/rpc-server';
import { contentLength } from '@localwire/transport/framing';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  createMessageConnection,
  SocketMessageReader,
  SocketMessageWriter,
} from 'vscode-jsonrpc/node';
import { parseAddress, tcpTransport, tlsTransport } from '../src/index.js';
import { testPki } from './helpers/certificates.js';

const pki = testPki();
const transports = [
  ['tcp', tcpTransport],
  ['tls', tlsTransport({ ...pki.server, ca: pki.ca })],
] as const;

describe('rpc-server over TCP and TLS', () => {
  for (const [name, transport] of transports) {
    for (const host of ['127.0.0.1', '[::1]']) {
      it(`${name} on ${host}: concurrent calls, errors and the peer`, async () => {
        const server = createRpcServer({
          methods: {
            add: ([a, b]: [number, number]) => a + b,
            peer: (_: unknown, ctx: RpcContext) => ctx.peer,
          },
        });
        const listener = await server.listen(transport, `${host}:0`);
        onTestFinished(async () => {
          await server.close();
        });
        const client = await connectRpc(transport, listener.address);
        onTestFinished(() => client.close());
        const sums = await Promise.all(
          Array.from({ length: 50 }, (_, i) => client.request<number>('add', [i, 1])),
        );
        expect(sums).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        await expect(client.request('nothing')).rejects.toMatchObject({ code: -32601 });
        const peer = (await client.request('peer')) as Record<string, string>;
        expect(peer.address).toMatch(host === '[::1]' ? /^\[::1\]:\d+$/ : /^127\.0\.0\.1:\d+$/);
        if (name === 'tls') expect(peer.certificateSubject).toBe('CN=localhost');
      });
    }
  }
});

describe('interop: vscode-jsonrpc over its socket transport, content-length framing', () => {
  it('a vscode-jsonrpc client calls a localwire TCP server', async () => {
    const server = createRpcServer({
      codec: contentLength,
      methods: { add: ([a, b]: [number, number]) => a + b },
    });
    const listener = await server.listen(tcpTransport, '127.0.0.1:0');
    onTestFinished(async () => {
      await server.close();
    });
    const { host, port } = parseAddress(listener.address);
    const socket = await connected(host, port);
    const connection = createMessageConnection(
      new SocketMessageReader(socket),
      new SocketMessageWriter(socket),
    );
    onTestFinished(() => {
      connection.dispose();
      socket.destroy();
    });
    connection.listen();
    expect(await connection.sendRequest('add', 20, 22)).toBe(42);
  });

  it('a localwire TCP client calls a vscode-jsonrpc server', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      const connection = createMessageConnection(
        new SocketMessageReader(socket),
        new SocketMessageWriter(socket),
      );
      connection.onRequest('greet', (params: { name: string }) => `hello, ${params.name}`);
      connection.listen();
    });
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    const { port } = server.address() as { port: number };
    const client = await connectRpc(tcpTransport, `[::1]:${port}`, { codec: contentLength });
    onTestFinished(() => client.close());
    expect(await client.request('greet', { name: 'localwire' })).toBe('hello, localwire');
  });
});

function connected(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => resolve(socket));
    socket.once('error', reject);
  });
}
