import { once } from 'node:events';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { defaultAddress, isTransportError } from '@localwire/transport';
import { describe, expect, it } from 'vitest';
import { unixSocketTransport } from '../src/index.js';
import { isRoot, NOBODY, readLine, spawnFixture } from './helpers/child.js';
import { entriesOf, snapshot } from './helpers/fs-snapshot.js';
import { echoes, expectListenError, useEchoListen } from './helpers/listen.js';
import { useTempDirs } from './helpers/temp-dir.js';

/**
 * Issue 12: listen refuses a directory another user could write, the
 * per-user default directory is verified before use, and cleanup never
 * follows a link.
 */

const newDir = useTempDirs();
const listen = useEchoListen();

describe("listen refuses a socket's directory another user could change", () => {
  it('a world-writable directory without the sticky bit: EACCES, nothing created', async () => {
    const dir = newDir();
    chmodSync(dir, 0o777);
    const address = join(dir, 'app.sock');
    const err = await expectListenError(address, 'EACCES');
    expect(err.message).toContain(`${dir} has mode 0777`);
    expect(err.message).toContain('not sticky');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a group-writable directory: EACCES', async () => {
    const dir = newDir();
    chmodSync(dir, 0o775);
    await expectListenError(join(dir, 'app.sock'), 'EACCES');
    expect(readdirSync(dir)).toEqual([]);
  });

  it.runIf(isRoot)("another user's directory: EACCES", async () => {
    const dir = newDir();
    chownSync(dir, NOBODY, NOBODY);
    const err = await expectListenError(join(dir, 'app.sock'), 'EACCES');
    expect(err.message).toContain(`owned by uid ${NOBODY}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a world-writable sticky directory (as /tmp): listens', async () => {
    const dir = newDir();
    chmodSync(dir, 0o1777);
    const address = join(dir, 'app.sock');
    await listen(address);
    expect(await echoes(address)).toBe(true);
  });
});

describe('the per-user default directory', () => {
  const sharedTmp = () => {
    const dir = newDir();
    chmodSync(dir, 0o1777);
    return dir;
  };

  it('is created 0700 by listen, and kept after close', async () => {
    const tmp = sharedTmp();
    const address = defaultAddress('app', { env: {}, tmpdir: tmp });
    const dir = join(tmp, `localwire-${process.geteuid?.()}`);
    expect(address).toBe(join(dir, 'app.sock'));
    const listener = await listen(address);
    expect(lstatSync(dir).mode & 0o7777).toBe(0o700);
    expect(await echoes(address)).toBe(true);
    await listener.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['has group or other bits', (dir: string) => mkdirSync(dir, { mode: 0o755 }), 'has mode 0755'],
    [
      'is a symbolic link to a private directory',
      (dir: string) => {
        const real = `${dir}-real`;
        mkdirSync(real, { mode: 0o700 });
        symlinkSync(real, dir);
      },
      'is a symbolic link',
    ],
    [
      'is a file',
      (dir: string) => writeFileSync(dir, 'not a directory', { mode: 0o600 }),
      'is not a directory',
    ],
  ])('that %s: EACCES for listen and connect, nothing touched', async (_what, make, says) => {
    const tmp = sharedTmp();
    const address = defaultAddress('app', { env: {}, tmpdir: tmp });
    make(join(tmp, `localwire-${process.geteuid?.()}`));
    chmodSync(tmp, 0o1777);
    const before = snapshot(tmp);
    const err = await expectListenError(address, 'EACCES');
    expect(err.message).toContain(says);
    const connectErr = await unixSocketTransport.connect(address).catch((e: unknown) => e);
    expect(isTransportError(connectErr, 'EACCES'), String(connectErr)).toBe(true);
    expect((connectErr as Error).message).toContain(says);
    expect(snapshot(tmp)).toEqual(before);
  });
});

/**
 * Another process with write access to the socket's directory swaps a
 * symbolic link in for what listen made, in a tight loop, while listen runs
 * again and again. Run as ourselves: listen now refuses a directory other
 * users may write, so only its owner (or root) can still try this; what is
 * checked is that cleanup never acts through the link.
 */
async function raceSwapper(
  what: 'private-dir' | 'address',
  dir: string,
  linkTo: string,
  target: string,
  address: string,
  options: Parameters<typeof unixSocketTransport.listen>[1],
): Promise<{ swaps: number; attempts: number }> {
  const stop = join(newDir(), 'stop');
  const swapper = spawnFixture('swap-links.mjs', [dir, what, linkTo, stop, address], {
    asNobody: false,
  });
  expect(await readLine(swapper)).toBe('ready');
  // Every entry byte for byte; the directory's own mtime may change, since
  // bind(2) through a swapped link creates (and cleanup removes) our socket there.
  const before = entriesOf(snapshot(target));
  const deadline = Date.now() + 20_000;
  let attempts = 0;
  try {
    // Bounded in count and in time; the old code gave way within a few dozen.
    while (attempts < 400 && Date.now() < deadline) {
      attempts++;
      const listener = await unixSocketTransport.listen(address, options).catch(() => undefined);
      await listener?.close();
      if (attempts % 20 === 0 && !isDeepStrictEqual(entriesOf(snapshot(target)), before)) break;
    }
  } finally {
    writeFileSync(stop, '');
  }
  const { swaps } = JSON.parse(await readLine(swapper));
  await once(swapper, 'exit');
  expect(entriesOf(snapshot(target))).toEqual(before);
  return { swaps, attempts };
}

describe('cleanup never follows a link', () => {
  it('swapping a link to another directory in for the private bind directory: that directory untouched', async () => {
    const dir = newDir();
    const target = newDir();
    writeFileSync(join(target, 'precious'), 'keep me');
    mkdirSync(join(target, 'nested'));
    writeFileSync(join(target, 'nested', 'also'), 'keep me too');
    const { swaps } = await raceSwapper(
      'private-dir',
      dir,
      target,
      target,
      join(dir, 'a.sock'),
      {},
    );
    expect(swaps).toBeGreaterThan(0);
  });

  it('swapping a link to a 0600 file in at the address (the long-path fallback): the file untouched', async () => {
    // Deep enough that the private directory would not fit in sun_path.
    let dir = newDir();
    while (Buffer.byteLength(dir) < 98) {
      dir = join(dir, 'd'.repeat(Math.min(20, 98 - Buffer.byteLength(dir))));
      mkdirSync(dir);
    }
    const target = newDir();
    writeFileSync(join(target, 'secret'), 'root only', { mode: 0o600 });
    const { swaps } = await raceSwapper(
      'address',
      dir,
      join(target, 'secret'),
      target,
      join(dir, 'a.sock'),
      {
        access: 'everyone',
      },
    );
    expect(swaps).toBeGreaterThan(0);
  });
});
