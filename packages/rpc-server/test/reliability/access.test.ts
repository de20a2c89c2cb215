import { chmodSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerInfo } from '@localwire/transport';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { createRpcServer, type RpcContext, type RpcServerOptions } from '../../src/index.js';
import { RawClient } from '../helpers/rpc.js';
import { transport } from '../helpers/transport.js';
import { Fixture, isLinux, isRoot, NOBODY } from './processes.js';

/**
 * Issue 7, who may connect (Unix): the socket's permissions, the peer's
 * credentials as the handler sees them, and `authorize` refusing a user. The
 * client runs in another process — as nobody when the tests run as root, so
 * that it is another user. (unix-socket's own tests check the socket file is
 * 0600 from the moment it exists.)
 */

// A directory anyone may pass through, so that a client running as nobody reaches the sockets.
const directory = mkdtempSync(join(tmpdir(), 'lw-access-'));
chmodSync(directory, 0o755);
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let count = 0;

async function serve(options: RpcServerOptions, access?: 'user' | 'everyone'): Promise<string> {
  const address = join(directory, `${++count}.sock`);
  const server = createRpcServer(options);
  await server.listen(transport, address, access === undefined ? undefined : { access });
  onTestFinished(() => server.close({ timeout: 100 }).then(() => undefined));
  return address;
}

/** Runs client.mjs as another user where possible; its report. */
async function runClient(mode: 'whoami' | 'raw', address: string) {
  const client = new Fixture('client.mjs', [mode, address], { asNobody: isRoot });
  try {
    return { pid: client.pid, report: await client.next<Record<string, unknown>>(30_000) };
  } finally {
    await client.kill();
  }
}

const whoami = (_params: unknown, context: RpcContext) => context.peer ?? null;

describe.runIf(isLinux)('who may connect (issue 7)', () => {
  it.runIf(isRoot)(
    'another user is refused by the 0600 socket, and let in with access: everyone',
    async () => {
      const closed = await serve({ methods: { whoami } });
      expect(lstatSync(closed).mode & 0o777).toBe(0o600);
      const refused = await runClient('whoami', closed);
      expect(refused.report).toMatchObject({ uid: NOBODY, code: 'EACCES' });
      expect(refused.report.message).toContain(closed);

      const open = await serve({ methods: { whoami } }, 'everyone');
      expect(lstatSync(open).mode & 0o777).toBe(0o666);
      const admitted = await runClient('whoami', open);
      expect(admitted.report).toMatchObject({
        uid: NOBODY,
        answer: { pid: admitted.pid, uid: NOBODY },
      });
    },
    30_000,
  );

  it("gives handlers the calling process's pid, uid and gid as peer", async () => {
    const address = await serve({ methods: { whoami } }, 'everyone');
    const { pid, report } = await runClient('whoami', address);
    expect(report.pid).toBe(pid);
    expect(report.answer).toEqual({ pid, uid: report.uid, gid: report.gid });
    if (isRoot) expect(report.uid).toBe(NOBODY);
  }, 30_000);

  it('closes a connection whose uid authorize refuses before reading any request: no answer but the refusal', async () => {
    // As root the refused client is nobody and this process is let in; otherwise
    // every client is this user, so this user is the one refused.
    const refusedUid = isRoot ? NOBODY : process.geteuid!();
    const asked: Array<PeerInfo | undefined> = [];
    let touched = 0;
    const address = await serve(
      {
        methods: {
          touch: () => {
            touched++;
            return true;
          },
        },
        authorize: async (peer) => {
          asked.push(peer);
          // Long enough for the client's request to be waiting in the socket.
          await new Promise((resolve) => setTimeout(resolve, 200));
          return peer?.uid !== refusedUid;
        },
      },
      'everyone',
    );
    const { pid, report } = await runClient('raw', address);
    expect(report).toMatchObject({ pid, uid: refusedUid });
    expect(report.code).toBeUndefined();
    // The one thing it gets is the refusal (issue 12, item 4): an error without an id.
    expect(JSON.parse(String(report.received))).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32010,
        message: `the server at ${address} refused this connection: its authorize check did not admit this peer (uid ${refusedUid}); ask the server's operator for access`,
      },
    });
    expect(touched).toBe(0);
    expect(asked).toEqual([expect.objectContaining({ pid, uid: refusedUid })]);
    // A localwire client hears of it as EACCES with the server's message.
    const rpc = await runClient('whoami', address);
    expect(rpc.report).toMatchObject({
      uid: refusedUid,
      code: 'EACCES',
      message: expect.stringContaining(`the server at ${address} refused this connection`),
    });
    expect(touched).toBe(0);

    if (isRoot) {
      const allowed = await RawClient.connect(address);
      allowed.sendJson({ jsonrpc: '2.0', id: 2, method: 'touch' });
      expect(await allowed.one()).toEqual({ jsonrpc: '2.0', id: 2, result: true });
      expect(touched).toBe(1);
      expect(asked.at(-1)).toMatchObject({ pid: process.pid, uid: 0 });
    }
  }, 30_000);
});
