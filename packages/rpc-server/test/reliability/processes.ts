import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Child processes for the reliability tests: servers and clients run as plain
 * `.mjs` fixtures on the built packages, so their file descriptors, memory
 * and fate (SIGKILL) are their own, not the test runner's.
 */

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

export const isLinux = process.platform === 'linux';
export const isRoot = process.geteuid?.() === 0;
/** Another user for tests run as root. */
export const NOBODY = 65534;

export interface SpawnFixtureOptions {
  /** Raise the child's open-file limit to this (through `bash -c 'ulimit -n'`). */
  fdLimit?: number;
  /** Run as nobody once loaded (only possible as root). */
  asNobody?: boolean;
  /** More environment variables for the child. */
  env?: NodeJS.ProcessEnv;
}

/** A fixture process that talks in JSON lines: commands on stdin, reports on stdout. */
export class Fixture {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  readonly #lines: AsyncIterator<string>;

  /** `fixture`: a file of fixtures/ (on the built package), or the absolute path of a script. */
  constructor(fixture: string, args: string[], options: SpawnFixtureOptions = {}) {
    const script = isAbsolute(fixture) ? fixture : `${FIXTURES}${fixture}`;
    if (!isAbsolute(fixture) && !existsSync(DIST)) {
      throw new Error(`${DIST} is missing: build first (npx turbo run build)`);
    }
    const spawnOptions: SpawnOptions = {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, ...options.env },
    };
    if (options.asNobody) {
      // The fixture switches user itself once loaded (see switch-user.mjs in
      // the unix-socket fixtures), so the checkout need not be readable by nobody.
      Object.assign(spawnOptions, {
        env: { ...spawnOptions.env, LOCALWIRE_FIXTURE_UID: String(NOBODY) },
        cwd: '/',
      });
    }
    this.child =
      options.fdLimit === undefined
        ? spawn(process.execPath, [script, ...args], spawnOptions)
        : spawn(
            'bash',
            [
              '-c',
              `ulimit -n ${options.fdLimit} && exec "$0" "$@"`,
              process.execPath,
              script,
              ...args,
            ],
            spawnOptions,
          );
    this.exited = once(this.child, 'exit');
    this.#lines = createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The next JSON report; rejects if the child exits first or stays silent for `timeoutMs`. */
  async next<T = Record<string, unknown>>(timeoutMs = 60_000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no report within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const line = await Promise.race([this.#lines.next(), timeout]);
      if (line.done)
        throw new Error(`the fixture exited (${this.child.exitCode ?? this.child.signalCode})`);
      return JSON.parse(line.value) as T;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a command and returns the report it gets. */
  async ask<T = Record<string, unknown>>(
    command: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<T> {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    return this.next<T>(timeoutMs);
  }

  /** Kills the child (if still running) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

/** Open file descriptors of process `pid` (Linux). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident set size of process `pid` in bytes (Linux). */
export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** The hard limit on open files a child may raise its own limit to. */
export function hardFdLimit(): number {
  const out = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
}

/** Polls `read` until `done(value)`, every 20 ms, at most `limitMs`; returns the last value. */
export async function settle<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  what: string,
  limitMs = 30_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - start > limitMs) {
      throw new Error(
        `gave up after ${limitMs} ms waiting for ${what} (last: ${JSON.stringify(value)})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Rejects if `promise` takes longer than `ms`: for "never a hang" assertions. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
