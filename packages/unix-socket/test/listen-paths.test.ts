import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unixSocketTransport } from '../src/index.js';
import { isRoot, NOBODY, readLine, spawnFixture } from './helpers/child.js';
import { entriesOf, snapshot } from './helpers/fs-snapshot.js';
import { echoes, expectListenError, fingerprint, useEchoListen } from './helpers/listen.js';
import { useTempDirs } from './helpers/temp-dir.js';

const newDir = useTempDirs();
const listen = useEchoListen();

describe('a path longer than sun_path', () => {
  it('fails with ENAMETOOLONG and creates nothing, not even at the truncated path', async () => {
    const dir = newDir();
    const address = join(dir, 'x'.repeat(131 - dir.length - 1));
    expect(Buffer.byteLength(address)).toBe(131);
    const err = await expectListenError(address, 'ENAMETOOLONG');
    expect(err.message).toContain('107 bytes');
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(address.slice(0, 107))).toBe(false);
    await expect(unixSocketTransport.connect(address)).rejects.toMatchObject({
      code: 'ENAMETOOLONG',
      address,
    });
  });

  it('is fine at exactly 107 bytes', async () => {
    const dir = newDir();
    const address = join(dir, 'y'.repeat(107 - dir.length - 1));
    expect(Buffer.byteLength(address)).toBe(107);
    await listen(address);
    expect(await echoes(address)).toBe(true);
  });
});

describe('something that is not a socket at the path is never touched', () => {
  it('a regular file: EADDRINUSE, the file unchanged', async () => {
    const dir = newDir();
    const address = join(dir, 'app.sock');
    writeFileSync(address, 'precious data');
    const before = fingerprint(address);
    const err = await expectListenError(address, 'EADDRINUSE');
    expect(err.message).toContain('a regular file');
    expect(fingerprint(address)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['app.sock']);
  });

  it('a directory: EADDRINUSE, the directory unchanged', async () => {
    const dir = newDir();
    const address = join(dir, 'app.sock');
    mkdirSync(address);
    writeFileSync(join(address, 'inside'), 'kept');
    const before = fingerprint(address);
    const err = await expectListenError(address, 'EADDRINUSE');
    expect(err.message).toContain('a directory');
    expect(fingerprint(address)).toEqual(before);
    expect(readdirSync(address)).toEqual(['inside']);
  });

  it('a symbolic link, even to a stale socket: EADDRINUSE, neither removed', async () => {
    const dir = newDir();
    const stale = join(dir, 'stale.sock');
    await leaveStaleSocket(stale);
    const address = join(dir, 'app.sock');
    symlinkSync(stale, address);
    const [linkBefore, staleBefore] = [fingerprint(address), fingerprint(stale)];
    const err = await expectListenError(address, 'EADDRINUSE');
    expect(err.message).toContain('a symbolic link');
    expect(fingerprint(address)).toEqual(linkBefore);
    expect(fingerprint(stale)).toEqual(staleBefore);
  });
});

describe('the directory', () => {
  it('missing: ENOENT naming it, nothing created', async () => {
    const dir = newDir();
    const address = join(dir, 'missing', 'app.sock');
    const err = await expectListenError(address, 'ENOENT');
    expect(err.message).toContain(join(dir, 'missing'));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('not writable by the caller: EACCES, nothing created', async () => {
    // Root may write anywhere, so as root the listen runs in a child process
    // as nobody; otherwise the directory is made read-only for ourselves.
    const dir = newDir();
    if (!isRoot) chmodSync(dir, 0o555);
    const address = join(dir, 'app.sock');
    const child = spawnFixture('listen.mjs', [address]);
    const result = JSON.parse(await readLine(child));
    expect(result).toMatchObject({ code: 'EACCES' });
    expect(result.message).toContain(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('of its own, under a parent it may not write to (as $XDG_RUNTIME_DIR under /run/user): listens, touching only its own directory', async () => {
    // The private bind directory goes inside the socket's directory, never next to it.
    const parent = newDir();
    const own = join(parent, 'own');
    mkdirSync(own, { mode: 0o700 });
    if (isRoot) chownSync(own, NOBODY, NOBODY);
    else chmodSync(parent, 0o555);
    try {
      const before = snapshot(parent);
      const child = spawnFixture('listen.mjs', [join(own, 'app.sock')]);
      expect(JSON.parse(await readLine(child))).toEqual({ ok: true });
      const { own: ownBefore, ...rest } = entriesOf(before);
      const { own: ownAfter, ...restAfter } = entriesOf(snapshot(parent));
      expect(restAfter).toEqual(rest);
      expect(readdirSync(own)).toEqual([]);
      expect(ownAfter).toMatchObject({ ino: (ownBefore as { ino: bigint }).ino });
    } finally {
      chmodSync(parent, 0o755);
    }
  });
});

describe('a socket at the path', () => {
  it('with a live server: EADDRINUSE, and that server keeps serving', async () => {
    const dir = newDir();
    const address = join(dir, 'app.sock');
    const server = createServer((c) => c.pipe(c)).listen(address);
    await once(server, 'listening');
    try {
      const before = fingerprint(address);
      const err = await expectListenError(address, 'EADDRINUSE');
      expect(err.message).toContain('already in use by a running server');
      expect(fingerprint(address)).toEqual(before);
      expect(await echoes(address)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('left by a dead server: removed, and the address taken over', async () => {
    const dir = newDir();
    const address = join(dir, 'app.sock');
    await leaveStaleSocket(address);
    const stale = lstatSync(address);
    expect(stale.isSocket()).toBe(true);
    await listen(address);
    const now = lstatSync(address);
    expect(now.isSocket()).toBe(true);
    expect(now.ino).not.toBe(stale.ino);
    expect(now.mode & 0o777).toBe(0o600);
    expect(await echoes(address)).toBe(true);
    expect(readdirSync(dir)).toEqual(['app.sock']);
  });
});

describe('abstract names (Linux)', () => {
  it.each([{}, { access: 'everyone' as const }])(
    'listen without a file, with %j',
    async (options) => {
      const dir = newDir();
      const address = `\0localwire-test-${process.pid}-abstract-${options.access ?? 'user'}`;
      await listen(address, options);
      expect(await echoes(address)).toBe(true);
      await expectListenError(address, 'EADDRINUSE', options);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it('refuse a mode, which they have no file for', async () => {
    const address = `\0localwire-test-${process.pid}-refused`;
    const err = await expectListenError(address, 'EINVAL', { mode: 0o600 });
    expect(err.message).toContain('no mode');
    await expectListenError(address, 'EINVAL', { access: 'everyone', mode: 0o600 });
  });
});

/** Leaves a socket file at `path` that nobody listens on: its server was killed. */
async function leaveStaleSocket(path: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('node:net').createServer().listen(process.argv[1], () => console.log('listening'))`,
      path,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  expect(await readLine(child)).toBe('listening');
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
