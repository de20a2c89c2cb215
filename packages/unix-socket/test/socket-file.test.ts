import { once } from 'node:events';
import { lstatSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLine, spawnFixture } from './helpers/child.js';
import { echoes, expectListenError, fingerprint, useEchoListen } from './helpers/listen.js';
import { useTempDirs } from './helpers/temp-dir.js';

const newDir = useTempDirs();
const listen = useEchoListen();

const modeOf = (path: string) => lstatSync(path).mode & 0o777;

/**
 * A directory deep enough that the private directory next to a short socket
 * name would not fit in sun_path, so listen binds with the umask fallback.
 */
function deepDir(): string {
  let dir = newDir();
  while (Buffer.byteLength(dir) < 98) {
    dir = join(dir, 'd'.repeat(Math.min(20, 98 - Buffer.byteLength(dir))));
    mkdirSync(dir);
  }
  expect(Buffer.byteLength(join(dir, '.XXXXXX', 's'))).toBeGreaterThan(107);
  return dir;
}

const layouts = [
  { name: 'bound in a private directory', dir: newDir },
  { name: 'bound under a tight umask (a deep directory)', dir: deepDir },
];

describe.each(layouts)('the socket file, $name', ({ dir: makeDir }) => {
  it('is 0600 from the moment it exists', async () => {
    const dir = makeDir();
    const address = join(dir, 'a.sock');
    // Another process samples the path in a tight loop while we listen.
    const watcher = spawnFixture('watch-mode.mjs', [address]);
    expect(await readLine(watcher)).toBe('ready');
    const listener = await listen(address);
    expect(await readLine(watcher)).toBe('seen');
    await listener.close();
    const seen: string[] = JSON.parse(await readLine(watcher));
    await once(watcher, 'exit');
    expect(seen).toEqual([(0o140600).toString(8)]);
  });

  it.each([
    { options: { mode: 0o660 }, mode: 0o660 },
    { options: { access: 'everyone' as const }, mode: 0o666 },
  ])(
    'with $options, never has more than that mode, from the moment it exists',
    async ({ options, mode }) => {
      const address = join(makeDir(), 'w.sock');
      const watcher = spawnFixture('watch-mode.mjs', [address]);
      expect(await readLine(watcher)).toBe('ready');
      const listener = await listen(address, options);
      expect(await readLine(watcher)).toBe('seen');
      expect(modeOf(address)).toBe(mode);
      await listener.close();
      const seen = (JSON.parse(await readLine(watcher)) as string[]).map((m) =>
        Number.parseInt(m, 8),
      );
      await once(watcher, 'exit');
      // Bound in a private directory, the file appears with its final mode; bound
      // under the umask, it appears 0600 and is widened after.
      for (const m of seen) {
        expect(m & ~0o777).toBe(0o140000);
        expect(m & 0o777 & ~mode).toBe(0);
      }
      expect(seen.at(-1)! & 0o777).toBe(mode);
    },
  );

  it('gets a wider mode only when asked', async () => {
    const dir = makeDir();
    await listen(join(dir, 'g.sock'), { mode: 0o660 });
    expect(modeOf(join(dir, 'g.sock'))).toBe(0o660);
    await listen(join(dir, 'e.sock'), { access: 'everyone' });
    expect(modeOf(join(dir, 'e.sock'))).toBe(0o666);
    await listen(join(dir, 'u.sock'), { access: 'user' });
    expect(modeOf(join(dir, 'u.sock'))).toBe(0o600);
  });

  it('is removed on close, and nothing else is left behind', async () => {
    const dir = makeDir();
    const address = join(dir, 'a.sock');
    const listener = await listen(address);
    expect(await echoes(address)).toBe(true);
    expect(readdirSync(dir)).toEqual(['a.sock']);
    await listener.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('close()', () => {
  it('leaves alone a file someone else put at the path meanwhile', async () => {
    const dir = newDir();
    const address = join(dir, 'a.sock');
    const listener = await listen(address);
    unlinkSync(address);
    writeFileSync(address, 'not yours');
    const before = fingerprint(address);
    await listener.close();
    expect(fingerprint(address)).toEqual(before);
  });
});

describe('listen options', () => {
  it('reject a mode that is not permission bits, and an unknown access', async () => {
    const address = join(newDir(), 'a.sock');
    await expectListenError(address, 'EINVAL', { mode: 0o1777 });
    await expectListenError(address, 'EINVAL', { mode: 1.5 });
    await expectListenError(address, 'EINVAL', { access: 'root' as 'user' });
  });
});
