import { contentLength } from '@localwire/transport/framing';
import { describe, expect, it } from 'vitest';
import { connectRpc, type RpcServer } from '../src/index.js';
import { RawClient, startServer, until } from './helpers/rpc.js';
import { transport } from './helpers/transport.js';

const methods = {
  echo: (params: unknown) => params,
  slow: async (params: unknown) => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return params;
  },
};

const request = (id: number, method = 'echo') =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params: [id] });

/**
 * Where connections cannot half-close: the client's `end()` told the server
 * nothing, so the server still serves the connection; closing the client is
 * the end of input the server sees, and it then closes its side too.
 */
async function expectOpenUntilClientCloses(c: RawClient, server: RpcServer): Promise<void> {
  expect(server.connections).toBe(1);
  expect(c.socket.destroyed).toBe(false);
  c.socket.destroy();
  await c.closed;
  await until(() => server.connections === 0, 'the server to close its side');
}

describe('malformed, truncated and oversized input', () => {
  // Without half-close (named pipes) a client's end() does not reach the
  // server: the client still gets its answers, the server keeps the
  // connection (and any message cut off) until the client closes, then closes.
  it('answers what came before a message cut off by the end of input, then -32700 (if the client can half-close), then closes', async () => {
    const { address, server } = await startServer({ methods });
    const c = await RawClient.overTransport(address);
    c.send(`${request(1, 'slow')}\n${request(2)}\n{"jsonrpc":"2.0","id":3,"meth`);
    c.socket.end();
    const answered = [
      { jsonrpc: '2.0', id: 1, result: [1] },
      { jsonrpc: '2.0', id: 2, result: [2] },
    ];
    if (transport.capabilities.halfClose) {
      const answers = await c.rest();
      expect(answers).toHaveLength(3);
      expect(answers).toEqual(
        expect.arrayContaining([
          ...answered,
          { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32700 }) },
        ]),
      );
    } else {
      expect(await c.take(2)).toEqual(expect.arrayContaining(answered));
      await expectOpenUntilClientCloses(c, server);
    }
  });

  it('answers everything sent before a client ends its side, then closes', async () => {
    const { address, server } = await startServer({ methods });
    const c = await RawClient.overTransport(address);
    c.send(`${request(1, 'slow')}\n${request(2, 'slow')}\n`);
    c.socket.end();
    const answers = (transport.capabilities.halfClose ? await c.rest() : await c.take(2)) as Array<{
      id: number;
    }>;
    expect(answers.map((a) => a.id).sort()).toEqual([1, 2]);
    if (!transport.capabilities.halfClose) await expectOpenUntilClientCloses(c, server);
  });

  it('skips invalid UTF-8 and control bytes as parse errors and carries on', async () => {
    const { address } = await startServer({ methods });
    const c = await RawClient.connect(address);
    c.send(Buffer.from([0xff, 0xfe, 0x80, 0x00, 0x01, 0x0a]));
    c.send(`${request(7)}\n`);
    expect(await c.take(2)).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
      { jsonrpc: '2.0', id: 7, result: [7] },
    ]);
  });

  it('recovers at the next message after one cut short mid-stream', async () => {
    const { address } = await startServer({ methods });
    const c = await RawClient.connect(address);
    c.send(`{"jsonrpc":"2.0","id":1,"method":"echo","params":[1\n${request(2)}\n`);
    expect(await c.take(2)).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
      { jsonrpc: '2.0', id: 2, result: [2] },
    ]);
  });

  it('answers an oversized message with -32600, closes that connection only, after finishing its earlier requests', async () => {
    const { address } = await startServer({ methods, limits: { maxMessageSize: 1024 } });
    const bystander = await connectRpc(transport, address);
    const c = await RawClient.connect(address);
    const oversized = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'echo',
      params: ['x'.repeat(2000)],
    });
    c.send(`${request(1, 'slow')}\n${oversized}\n${request(3)}\n`);
    const answers = await c.rest();
    expect(answers).toHaveLength(2);
    expect(answers).toEqual(
      expect.arrayContaining([
        { jsonrpc: '2.0', id: 1, result: [1] },
        {
          jsonrpc: '2.0',
          id: null,
          error: {
            code: -32600,
            message: expect.stringMatching(/exceeds the limit of 1024 bytes/),
          },
        },
      ]),
    );
    expect(await bystander.request('echo', ['still here'])).toEqual(['still here']);
  });

  it('refuses a giant message while it is still arriving, without buffering it', async () => {
    const { address } = await startServer({ methods, limits: { maxMessageSize: 64 * 1024 } });
    const c = await RawClient.connect(address);
    c.send('{"jsonrpc":"2.0","id":1,"method":"echo","params":["');
    const piece = 'y'.repeat(64 * 1024);
    // Keep writing (10 MiB if it were all read) until the server has answered and closed.
    for (let i = 0; i < 160 && !c.socket.destroyed && c.socket.writable; i++) {
      c.send(piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await c.rest()).toEqual([
      { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32600 }) },
    ]);
  });

  describe('with content-length framing', () => {
    const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

    it('answers a body that is not JSON with -32700 and reads the next frame', async () => {
      const { address } = await startServer({ methods, codec: contentLength });
      const c = await RawClient.connect(address, contentLength);
      c.send(frame('{"jsonrpc":') + frame(request(2)));
      expect(await c.take(2)).toEqual([
        { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
        { jsonrpc: '2.0', id: 2, result: [2] },
      ]);
    });

    it('refuses a giant Content-Length from the header, before any body arrives', async () => {
      const { address } = await startServer({ methods, codec: contentLength });
      const c = await RawClient.connect(address, contentLength);
      c.send('Content-Length: 1000000000\r\n\r\n');
      expect(await c.rest()).toEqual([
        { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32600 }) },
      ]);
    });

    it('fails fast, naming the cause, when client and server use different codecs', async () => {
      // content-length client, ndjson server: the server's ndjson answer is
      // JSON where the client expects a header.
      const ndjsonServer = await startServer({ methods });
      const lspClient = await connectRpc(transport, ndjsonServer.address, { codec: contentLength });
      await expect(lspClient.request('echo', [1])).rejects.toMatchObject({
        code: 'ECONNRESET',
        message: expect.stringContaining('ndjson'),
      });
      // ndjson client, content-length server: the server refuses the JSON it
      // got for a header (an error without an id, which answers the request
      // it could not read) and closes; the client is not left waiting.
      const lspServer = await startServer({ methods, codec: contentLength });
      const ndjsonClient = await connectRpc(transport, lspServer.address);
      await expect(ndjsonClient.request('echo', [1])).rejects.toMatchObject({
        code: -32700,
        message: expect.stringContaining('ndjson'),
      });
      await expect(ndjsonClient.request('echo', [2])).rejects.toMatchObject({
        code: 'ECONNRESET',
      });
    });

    it('answers a malformed header with -32700 and closes', async () => {
      const { address } = await startServer({ methods, codec: contentLength });
      const c = await RawClient.connect(address, contentLength);
      c.send(`Content-Type: application/json\r\n\r\n${request(1)}`);
      expect(await c.rest()).toEqual([
        {
          jsonrpc: '2.0',
          id: null,
          error: { code: -32700, message: expect.stringMatching(/Content-Length/) },
        },
      ]);
    });
  });
});
