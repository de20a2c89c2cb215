import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  displayAddress,
  isTransportError,
  type Listener,
  type TransportErrorCode,
} from '@localwire/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { type UnixSocketListenOptions, unixSocketTransport } from '../src/index.js';
import { DIST_ENTRY, isRoot, readLine, spawnFixture } from './helpers/child.js';
import { entriesOf, snapshot } from './helpers/fs-snapshot.js';
import { echoes } from './helpers/listen.js';
import { useTempDirs } from './helpers/temp-dir.js';

/**
 * Issue 7, bad addresses on the Unix transport: each one fails `listen` (and
 * `connect`) with its documented code and a message that names the address,
 * and leaves the file system exactly as it was — every entry's name, type,
 * mode, inode, timestamps and content. A listen that gets as far as binding
 * first creates (and removes again) its private 0700 bind directory next to
 * the address, so for those cases the directory's own mtime may change; its
 * entries may not.
 */

const newDir = useTempDirs();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function liveServer(address: string): Promise<Server> {
  const server = createServer((c) => c.pipe(c)).listen(address);
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return server;
}

interface Case {
  name: string;
  /** Sets the scene in `dir`; returns the address to listen at. */
  setup(dir: string): Promise<string> | string;
  options?: UnixSocketListenOptions;
  code: TransportErrorCode;
  /** What the message says besides the address. */
  says: string | RegExp;
  /** What `connect` to the address fails with, where it is a fault of the address. */
  connect?: TransportErrorCode;
  /** Listen binds its private directory next to the address before it finds the fault. */
  bindsFirst?: boolean;
  /** Listen in a child process that lacks the permission (as nobody when we are root). */
  inChild?: boolean;
  /** Checked afterwards, besides the snapshot. */
  after?(address: string): Promise<void>;
}

const cases: Case[] = [
  {
    name: 'a regular file',
    setup: (dir) => {
      writeFileSync(join(dir, 'app.sock'), 'precious data');
      return join(dir, 'app.sock');
    },
    code: 'EADDRINUSE',
    says: 'a regular file is at this path, not a socket; localwire never removes it',
    connect: 'ECONNREFUSED',
    bindsFirst: true,
  },
  {
    name: 'a directory with files in it',
    setup: (dir) => {
      mkdirSync(join(dir, 'app.sock'));
      writeFileSync(join(dir, 'app.sock', 'inside'), 'kept');
      return join(dir, 'app.sock');
    },
    code: 'EADDRINUSE',
    says: 'a directory is at this path',
    connect: 'ECONNREFUSED',
    bindsFirst: true,
  },
  {
    name: 'a missing parent directory',
    setup: (dir) => join(dir, 'missing', 'app.sock'),
    code: 'ENOENT',
    says: /the directory .*missing does not exist/,
    connect: 'ENOENT',
  },
  {
    name: 'a parent that is a regular file',
    setup: (dir) => {
      writeFileSync(join(dir, 'file'), 'not a directory');
      return join(dir, 'file', 'app.sock');
    },
    code: 'EINVAL',
    says: 'is not a directory',
    connect: 'EINVAL',
  },
  {
    name: 'a parent without write permission',
    setup: (dir) => {
      mkdirSync(join(dir, 'locked'));
      // Root bypasses permissions: then the child runs as nobody, who may not write here.
      chmodSync(join(dir, 'locked'), isRoot ? 0o755 : 0o555);
      return join(dir, 'locked', 'app.sock');
    },
    code: 'EACCES',
    says: 'permission denied creating a socket in',
    inChild: true,
  },
  {
    name: 'a parent without search permission',
    setup: (dir) => {
      mkdirSync(join(dir, 'sealed'));
      chmodSync(join(dir, 'sealed'), isRoot ? 0o744 : 0o666);
      return join(dir, 'sealed', 'app.sock');
    },
    code: 'EACCES',
    says: 'permission denied',
    inChild: true,
  },
  {
    name: 'a path over the 107 bytes of sun_path',
    setup: (dir) => join(dir, 'x'.repeat(120 - dir.length)),
    code: 'ENAMETOOLONG',
    says: 'longer than the 107 bytes a Unix socket path may have on linux',
    connect: 'ENAMETOOLONG',
  },
  {
    name: 'an abstract name over the limit',
    setup: () => `\0${'a'.repeat(107)}`,
    options: { access: 'everyone' },
    code: 'ENAMETOOLONG',
    says: 'is 108 bytes',
    connect: 'ENAMETOOLONG',
  },
  {
    name: 'an abstract name with a mode, which it has no file for',
    setup: () => `\0localwire-bad-${process.pid}-mode`,
    options: { mode: 0o600 },
    code: 'EINVAL',
    says: 'an abstract socket name has no file, so no mode',
  },
  {
    name: 'an abstract name a live server holds',
    setup: async () => {
      const address = `\0localwire-bad-${process.pid}-taken`;
      await liveServer(address);
      return address;
    },
    options: { access: 'everyone' },
    code: 'EADDRINUSE',
    says: 'already in use by a running server',
    after: async (address) => expect(await echoes(address)).toBe(true),
  },
  {
    name: "a live server's socket",
    setup: async (dir) => {
      await liveServer(join(dir, 'app.sock'));
      return join(dir, 'app.sock');
    },
    code: 'EADDRINUSE',
    says: 'already in use by a running server; stop it or choose another address',
    bindsFirst: true,
    after: async (address) => expect(await echoes(address)).toBe(true),
  },
];

/** True when `message` names `address` (abstract names appear JSON-quoted or as `@name`). */
const names = (message: string, address: string) =>
  message.includes(displayAddress(address)) || message.includes(JSON.stringify(address));

/** Listens at `address` in a child process; its `{ code, message }`. */
async function listenInChild(address: string): Promise<{ code?: string; message?: string }> {
  const child = spawnFixture('listen.mjs', [address]);
  const exited = once(child, 'exit');
  const result = JSON.parse(await readLine(child));
  await exited;
  return result;
}

describe.runIf(process.platform === 'linux')('bad addresses (issue 7)', () => {
  it.each(cases)('$name: $code naming the address, nothing touched', async (c) => {
    const dir = newDir();
    const address = await c.setup(dir);
    const before = snapshot(dir);
    let code: string | undefined;
    let message = '';
    if (c.inChild) {
      ({ code, message = '' } = await listenInChild(address));
    } else {
      const err = await unixSocketTransport.listen(address, c.options).then(
        async (listener: Listener) => {
          await listener.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(isTransportError(err), `expected a TransportError, got ${err}`).toBe(true);
      expect((err as { address?: string }).address).toBe(address);
      ({ code, message } = err as Error & { code: string });
    }
    expect(code).toBe(c.code);
    expect(names(message, address), `${JSON.stringify(message)} names the address`).toBe(true);
    expect(message).toMatch(c.says);

    const compare = c.bindsFirst ? entriesOf : (s: typeof before) => s;
    expect(compare(snapshot(dir))).toEqual(compare(before));

    if (c.connect !== undefined) {
      await expect(unixSocketTransport.connect(address, { timeout: 10_000 })).rejects.toSatisfy(
        (err: unknown) =>
          isTransportError(err, c.connect) && names((err as Error).message, address),
      );
      expect(compare(snapshot(dir))).toEqual(compare(before));
    }
    await c.after?.(address);
    if (c.name.startsWith('a path over')) expect(existsSync(address.slice(0, 107))).toBe(false);
  });

  it('a stale socket: reclaimed, and nothing else in the directory touched', async () => {
    const dir = newDir();
    writeFileSync(join(dir, 'neighbour'), 'left alone');
    const address = join(dir, 'app.sock');
    // A localwire server in another process leaves its socket behind when it is killed.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { unixSocketTransport } = await import(${JSON.stringify(pathToFileURL(DIST_ENTRY).href)});
await unixSocketTransport.listen(process.argv[1]);
console.log('listening');`,
        address,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    expect(await readLine(child)).toBe('listening');
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const before = snapshot(dir);
    const stale = before['app.sock'] as { type: string; ino: bigint };
    expect(stale.type).toBe('socket');
    await expect(unixSocketTransport.connect(address)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      address,
    });

    const listener = await unixSocketTransport.listen(address);
    cleanups.push(() => listener.close());
    listener.on('connection', (connection) => connection.pipe(connection));
    expect(await echoes(address)).toBe(true);
    const during = snapshot(dir);
    const ours = during['app.sock'] as { type: string; ino: bigint; mode: bigint };
    expect(ours.type).toBe('socket');
    expect(ours.ino).not.toBe(stale.ino);
    expect(ours.mode & 0o777n).toBe(0o600n);
    const { 'app.sock': _old, ...rest } = entriesOf(before);
    const { 'app.sock': _new, ...restNow } = entriesOf(during);
    expect(restNow).toEqual(rest);

    await listener.close();
    const { 'app.sock': _gone, ...afterClose } = entriesOf(before);
    expect(entriesOf(snapshot(dir))).toEqual(afterClose);
  });
});
