import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Connection,
  defaultAddress,
  isTransportError,
  type Listener,
} from '@localwire/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { unixSocketTransport } from '../src/index.js';
import { isRoot, NOBODY, readLine, spawnFixture } from './helpers/child.js';
import { echoes } from './helpers/listen.js';
import { useTempDirs } from './helpers/temp-dir.js';

/**
 * Issue 12: a client talks only to a server of its own user (or root) unless
 * told otherwise. The squatters are real processes running as nobody; the
 * tests run as root, so "another user" is nobody and "root" is us.
 */

const newDir = useTempDirs();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A world-writable sticky directory, as /tmp is: anyone may bind a name in it first. */
function sharedTmp(): string {
  const dir = newDir();
  chmodSync(dir, 0o1777);
  return dir;
}

interface Squatter {
  /** Resolves with the bytes the next connection it saw sent it, once that connection closed. */
  nextConnection(): Promise<number>;
}

/** Starts a squatter as nobody at `address`. */
async function squat(address: string): Promise<Squatter> {
  const child = spawnFixture('squat.mjs', [JSON.stringify(address)]);
  cleanups.push(() => stop(child));
  expect(await readLine(child)).toBe('listening');
  return { nextConnection: async () => JSON.parse(await readLine(child)).bytes };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** `connect`'s rejection; fails the test if it connects. */
async function refusal(
  address: string,
  options?: Parameters<typeof unixSocketTransport.connect>[1],
) {
  const outcome = await unixSocketTransport.connect(address, options).then(
    (connection) => {
      connection.destroy();
      return undefined;
    },
    (err: unknown) => err as Error & { code?: string; address?: string },
  );
  expect(outcome, 'connect should have been refused').toBeDefined();
  return outcome!;
}

/** Connects, sends `bytes` bytes, and closes. */
async function sendAndClose(address: string, bytes: number, options = {}): Promise<void> {
  const connection = await unixSocketTransport.connect(address, options);
  connection.on('error', () => {});
  connection.resume();
  connection.end('x'.repeat(bytes));
  await once(connection, 'close');
}

describe.runIf(isRoot && process.platform === 'linux')(
  'a client refuses a server of another user',
  () => {
    it('squatting a path in a shared directory: EACCES naming both uids, nothing sent', async () => {
      const address = join(sharedTmp(), 'app.sock');
      const squatter = await squat(address);
      const err = await refusal(address);
      expect(isTransportError(err, 'EACCES')).toBe(true);
      expect(err.address).toBe(address);
      expect(err.message).toContain(address);
      expect(err.message).toContain(`uid ${NOBODY}`);
      expect(err.message).toContain('uid 0');
      expect(err.message).toContain(`trustUids: [${NOBODY}]`);
      expect(err.message).toContain('verifyOwner: false');
      expect(await squatter.nextConnection()).toBe(0);
    });

    it('squatting an abstract name: EACCES, nothing sent', async () => {
      const address = `\0localwire-squat-${process.pid}-${Math.random().toString(36).slice(2)}`;
      const squatter = await squat(address);
      const err = await refusal(address);
      expect(isTransportError(err, 'EACCES')).toBe(true);
      expect(err.message).toContain(`@${address.slice(1)}`);
      expect(err.message).toContain(`uid ${NOBODY}`);
      expect(await squatter.nextConnection()).toBe(0);
    });

    it('squatting the default address with XDG_RUNTIME_DIR unset: EACCES for connect and listen', async () => {
      const options = { env: {}, tmpdir: sharedTmp() };
      const address = defaultAddress('app', options);
      // The squatter gets there first and makes the directory the address is in.
      await squat(address);
      const err = await refusal(address);
      expect(isTransportError(err, 'EACCES')).toBe(true);
      expect(err.message).toContain(address);
      expect(err.message).toContain(`owned by uid ${NOBODY}`);
      const listenErr = await unixSocketTransport.listen(address).catch((e: unknown) => e as Error);
      expect(isTransportError(listenErr, 'EACCES'), String(listenErr)).toBe(true);
      expect((listenErr as Error).message).toContain(`owned by uid ${NOBODY}`);
    });

    it('squatting the default address in an XDG_RUNTIME_DIR nobody owns: not used, our own server reached', async () => {
      // e.g. XDG_RUNTIME_DIR inherited through `su` without `-`.
      const runtimeDir = join(newDir(), 'run-user');
      mkdirSync(runtimeDir, { mode: 0o700 });
      chownSync(runtimeDir, NOBODY, NOBODY);
      const squatted = join(runtimeDir, 'app.sock');
      const squatter = await squat(squatted);
      const address = defaultAddress('app', {
        env: { XDG_RUNTIME_DIR: runtimeDir },
        tmpdir: sharedTmp(),
      });
      expect(address).not.toBe(squatted);
      const listener = await unixSocketTransport.listen(address);
      cleanups.push(() => listener.close());
      listener.on('connection', (connection) => connection.pipe(connection));
      expect(await echoes(address)).toBe(true);
      // The squatter never saw a connection: its next one is ours, now, on purpose.
      await sendAndClose(squatted, 3, { verifyOwner: false });
      expect(await squatter.nextConnection()).toBe(3);
    });
  },
);

describe.runIf(isRoot && process.platform === 'linux')('widening the owner check', () => {
  it('trustUids: [uid] reaches that user’s server', async () => {
    const address = join(sharedTmp(), 'daemon.sock');
    const squatter = await squat(address);
    await sendAndClose(address, 7, { trustUids: [NOBODY] });
    expect(await squatter.nextConnection()).toBe(7);
    // Trusting some other uid does not help.
    expect(isTransportError(await refusal(address, { trustUids: [1234] }), 'EACCES')).toBe(true);
  });

  it('verifyOwner: false reaches whoever serves', async () => {
    const address = `\0localwire-unverified-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const squatter = await squat(address);
    await sendAndClose(address, 4, { verifyOwner: false });
    expect(await squatter.nextConnection()).toBe(4);
  });

  it('bad option values are EINVAL', async () => {
    const address = join(newDir(), 'x.sock');
    for (const options of [{ verifyOwner: 'no' }, { trustUids: [-1] }, { trustUids: 5 }]) {
      const err = await refusal(address, options as never);
      expect(isTransportError(err, 'EINVAL'), String(err)).toBe(true);
    }
  });
});

describe.runIf(isRoot && process.platform === 'linux')('a root-owned server', () => {
  it('is trusted by a client of another user (nobody connects to root)', async () => {
    for (const [address, options] of [
      [join(newDir(), 'root.sock'), { access: 'everyone' as const }],
      [
        `\0localwire-root-${process.pid}-${Math.random().toString(36).slice(2)}`,
        { access: 'everyone' as const },
      ],
    ] as const) {
      const listener = await unixSocketTransport.listen(address, options);
      cleanups.push(() => listener.close());
      const accepted = once(listener, 'connection') as Promise<[Connection]>;
      const child = spawnFixture('connect.mjs', [JSON.stringify(address)]);
      const [server] = await accepted;
      expect(server.peer?.uid).toBe(NOBODY);
      const client = JSON.parse(await readLine(child));
      expect(client.peer.uid).toBe(0);
      const exited = once(child, 'exit');
      server.end();
      expect(await exited).toEqual([0, null]);
    }
  });
});

describe.runIf(isRoot && process.platform === 'linux')(
  "an abstract name with access: 'user'",
  () => {
    it('closes a connection from another user at accept, unseen; our own get through', async () => {
      const address = `\0localwire-own-${process.pid}-${Math.random().toString(36).slice(2)}`;
      const listener: Listener = await unixSocketTransport.listen(address);
      cleanups.push(() => listener.close());
      const seen: Connection[] = [];
      listener.on('connection', (connection) => {
        seen.push(connection);
        connection.pipe(connection);
      });
      // nobody connects (root's server is trusted) and is closed by the server at once.
      const child = spawnFixture('connect.mjs', [JSON.stringify(address)]);
      expect(JSON.parse(await readLine(child)).uid).toBe(NOBODY);
      expect(await once(child, 'exit')).toEqual([0, null]);
      const ours = await unixSocketTransport.connect(address);
      cleanups.push(() => void ours.destroy());
      const echoed = once(ours, 'data');
      ours.write('mine');
      expect(String((await echoed)[0])).toBe('mine');
      expect(seen.map((c) => c.peer?.uid)).toEqual([0]);
    });
  },
);
