import type { ChildProcess } from 'node:child_process';
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

/** The mode watch-mode.mjs reports next (file type included), or `undefined` once it says "gone". */
async function nextMode(watcher: ChildProcess): Promise<number | undefined> {
  const line = await readLine(watcher);
  return line === 'gone' ? undefined : Number.parseInt(line, 8);
}

/** Every further mode the watcher reports until the file is gone; then waits for it to exit. */
async function modesUntilGone(watcher: ChildProcess): Promise<number[]> {
  const modes: number[] = [];
  for (let mode = await nextMode(watcher); mode !== undefined; mode = await nextMode(watcher)) {
    modes.push(mode);
  }
  await once(watcher, 'exit');
  return modes;
}

describe.each(layouts)('the socket file, $name', ({ dir: makeDir }) => {
  it('is 0600 from the moment it exists', async () => {
    const dir = makeDir();
    const address = join(dir, 'a.sock');
    // Another process samples the path in a tight loop while we listen.
    const watcher = spawnFixture('watch-mode.mjs', [address]);
    expect(await readLine(watcher)).toBe('ready');
    const listener = await listen(address);
    expect(await nextMode(watcher)).toBe(0o140600);
    await listener.close();
    expect(await modesUntilGone(watcher)).toEqual([]);
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
      expect(modeOf(address)).toBe(mode);
      // Bound in a private directory, the file appears with its final mode; bound
      // under the umask, it may appear 0600 and be widened after. Keep the file
      // until the watcher has seen the final mode, so it reports every step.
      const seen: number[] = [];
      while (seen.at(-1) !== (0o140000 | mode)) {
        const next = await nextMode(watcher);
        expect(next, 'the watcher saw the file go before it had the final mode').toBeDefined();
        seen.push(next!);
      }
      await listener.close();
      seen.push(...(await modesUntilGone(watcher)));
      for (const m of seen) {
        expect(m & ~0o777).toBe(0o140000);
        expect(m & 0o777 & ~mode).toBe(0);
      }
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
