/**
 * Runs the built CLI as a user would: `node <bin> …` in child processes, on
 * real sockets (Unix) or pipes (Windows) at fresh addresses.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

/**
 * The CLI that `npx localwire-example` runs: the workspace package's `bin`.
 * Found by package name, so the same tests work when compiled elsewhere
 * (scripts/test-windows.sh runs them from .wine/build).
 */
export const CLI = join(
  dirname(createRequire(import.meta.url).resolve('localwire-example/package.json')),
  'dist',
  'cli.js',
);

export const isWindows = process.platform === 'win32';

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

/** Kills children a test left running and removes its temp dirs; for `afterEach`. */
export async function cleanup(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }),
  );
  children.clear();
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/**
 * An address nobody uses: a socket in a fresh temp dir (removed by
 * {@link cleanup}), or a pipe name with a random suffix on Windows.
 */
export async function freshAddress(): Promise<string> {
  if (isWindows) {
    return `\\\\.\\pipe\\localwire-example-test-${process.pid}-${randomBytes(6).toString('hex')}`;
  }
  const dir = await mkdtemp(join(tmpdir(), 'lwx-'));
  tempDirs.push(dir);
  return join(dir, 'rpc.sock');
}

function spawnCli(args: readonly string[]): ChildProcess {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build the example first (npm run build)`);
  }
  const child = spawnRetryingUnderWine(() =>
    spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  children.add(child);
  return child;
}

/**
 * Runs `spawnChild`, retrying a few times when it throws `spawn UNKNOWN`:
 * under Wine on a loaded machine, CreateProcess now and then fails for no
 * reason the child could help, and a moment later succeeds. Any other error,
 * or the same one on the last try, is thrown.
 */
function spawnRetryingUnderWine(spawnChild: () => ChildProcess): ChildProcess {
  const tries = isWindows ? 5 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return spawnChild();
    } catch (err) {
      if (attempt >= tries || (err as NodeJS.ErrnoException).code !== 'UNKNOWN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

/** Text a child writes to one stream, as it arrives. */
class Output {
  #text = '';
  readonly #ended: Promise<unknown>;

  constructor(stream: NodeJS.ReadableStream) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.#text += chunk;
    });
    this.#ended = once(stream, 'end');
  }

  /** Everything written so far. */
  get text(): string {
    return this.#text;
  }

  /** Resolves once `text` has been written; rejects if the stream ends first. */
  async waitFor(text: string, stream: NodeJS.ReadableStream): Promise<void> {
    while (!this.#text.includes(text)) {
      const ended = await Promise.race([
        once(stream, 'data').then(() => false),
        this.#ended.then(() => true),
      ]);
      if (ended && !this.#text.includes(text)) {
        throw new Error(`the output ended without ${JSON.stringify(text)}:\n${this.#text}`);
      }
    }
  }
}

/** How a CLI run ended. */
export interface RunResult {
  /** Exit code. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The child's process id, as the OS knows it. */
  pid: number;
}

/** A CLI run in progress. */
export interface Running {
  readonly child: ChildProcess;
  /** Resolves once the child has written `text` to stdout or stderr. */
  waitFor(stream: 'stdout' | 'stderr', text: string): Promise<void>;
  /** Resolves once it has exited and its output is all read. */
  readonly result: Promise<RunResult>;
}

/** Starts `localwire-example …args`. */
export function start(...args: string[]): Running {
  const child = spawnCli(args);
  const stdout = new Output(child.stdout!);
  const stderr = new Output(child.stderr!);
  const result = once(child, 'close').then(([code]) => {
    children.delete(child);
    return {
      code: code as number | null,
      stdout: stdout.text,
      stderr: stderr.text,
      pid: child.pid!,
    };
  });
  return {
    child,
    waitFor: (stream, text) =>
      stream === 'stdout'
        ? stdout.waitFor(text, child.stdout!)
        : stderr.waitFor(text, child.stderr!),
    result,
  };
}

/** Runs `localwire-example …args` to the end. */
export function run(...args: string[]): Promise<RunResult> {
  return start(...args).result;
}

/**
 * `call <method> [params] --address <address> …flags`, expected to succeed
 * with nothing on stderr: its parsed stdout.
 */
export async function callOk(
  address: string,
  method: string,
  params?: string,
  ...flags: string[]
): Promise<unknown> {
  const args = params === undefined ? [method] : [method, params];
  const result = await run('call', ...args, '--address', address, ...flags);
  expect(result.stderr).toBe('');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** A `serve` child that has said it is listening. */
export interface Server {
  readonly child: ChildProcess;
  /** What it has logged so far. */
  stderr(): string;
  /** Resolves once it has logged `text`. */
  logged(text: string): Promise<void>;
  /** Sends `signal` and resolves with how it exited. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `localwire-example serve --address <address> …args` and waits for
 * its one stdout line, `listening <address>`.
 */
export async function serve(address: string, ...args: string[]): Promise<Server> {
  const child = spawnCli(['serve', '--address', address, ...args]);
  const stdout = new Output(child.stdout!);
  const stderr = new Output(child.stderr!);
  const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const line = `listening ${address}\n`;
  try {
    await stdout.waitFor(line, child.stdout!);
  } catch {
    const [code] = await closed;
    throw new Error(`serve exited with ${code} before listening:\n${stdout.text}${stderr.text}`);
  }
  expect(stdout.text).toBe(line);
  return {
    child,
    stderr: () => stderr.text,
    logged: (text) => stderr.waitFor(text, child.stderr!),
    async stop(signal) {
      child.kill(signal);
      const [code, by] = await closed;
      children.delete(child);
      return { code, signal: by };
    },
  };
}
