import { once } from 'node:events';
import { join } from 'node:path';
import type { Connection } from '@localwire/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { unixSocketTransport } from '../src/index.js';
import { isRoot, NOBODY, readLine, spawnFixture } from './helpers/child.js';
import { useTempDirs } from './helpers/temp-dir.js';

const newDir = useTempDirs();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('peer credentials', () => {
  it('declares pid, uid and gid on Linux', () => {
    expect(unixSocketTransport.capabilities.peerCredentials).toEqual(['pid', 'uid', 'gid']);
  });

  it("are the client process's on the server side, and the server's on the client side", async () => {
    const address = join(newDir(), 'peer.sock');
    // Anyone may connect: as root, the client runs as nobody.
    const listener = await unixSocketTransport.listen(address, { access: 'everyone' });
    cleanups.push(() => listener.close());
    const accepted = once(listener, 'connection') as Promise<[Connection]>;
    const child = spawnFixture('connect.mjs', [address]);
    const [server] = await accepted;
    cleanups.push(async () => void server.destroy());
    const client = JSON.parse(await readLine(child));
    expect(client.pid).toBe(child.pid);
    if (isRoot) expect([client.uid, client.gid]).toEqual([NOBODY, NOBODY]);
    expect(server.peer).toEqual({ pid: client.pid, uid: client.uid, gid: client.gid });
    expect(client.peer).toEqual({
      pid: process.pid,
      uid: process.geteuid?.(),
      gid: process.getegid?.(),
    });
    const exited = once(child, 'exit');
    server.end();
    expect(await exited).toEqual([0, null]);
  });
});
