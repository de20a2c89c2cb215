// Starting benchmark children (servers and clients), waiting for their ready
// line, talking to them over IPC, and raising their file-descriptor limit.
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** @type {{ soft: number, hard: number } | undefined} */
let limits;

/**
 * This shell's open-file limits (`ulimit -Sn`, `ulimit -Hn`).
 * @returns {{ soft: number, hard: number }}
 */
export function fdLimits() {
  if (!limits) {
    const [soft, hard] = execFileSync('bash', ['-c', 'ulimit -Sn; ulimit -Hn'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map((v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v)));
    limits = { soft, hard };
  }
  return limits;
}

/**
 * @typedef {object} ChildOptions
 * @property {string} name for messages
 * @property {string[]} [nodeArgs] flags for node itself (`--cpu-prof`, `--expose-gc`)
 * @property {number} [fds] open files it needs; its limit is raised if below
 * @property {boolean} [verbose] echo its stdout
 * @property {number} [cpu] pin it to this CPU (with `taskset`), if given
 */

/** A benchmark child: a node process with an IPC channel and a ready line. */
export class Child {
  /** @type {import('node:child_process').ChildProcess} */
  #process;
  #nextId = 0;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
  #waiting = new Map();
  /** @type {Promise<void>} */
  exited;
  /** What the ready line said. */
  info = /** @type {Record<string, any>} */ ({});
  name;
  #exitError = /** @type {Error | undefined} */ (undefined);

  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {string} name
   */
  constructor(child, name) {
    this.#process = child;
    this.name = name;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitError = new Error(`${name} exited (${signal ?? `code ${code}`})`);
        for (const { reject } of this.#waiting.values()) reject(this.#exitError);
        this.#waiting.clear();
        resolve();
      });
    });
    child.on('message', (/** @type {any} */ answer) => {
      const waiter = this.#waiting.get(answer.id);
      if (!waiter) return;
      this.#waiting.delete(answer.id);
      if (answer.ok) waiter.resolve(answer.result);
      else waiter.reject(new Error(`${name}: ${answer.error}`));
    });
  }

  /** The child's process id. */
  get pid() {
    return this.#process.pid;
  }

  /**
   * Sends `{ op, ...args }` and resolves with the child's answer.
   * @param {string} op
   * @param {Record<string, unknown>} [args]
   * @param {number} [timeoutMs]
   * @returns {Promise<any>}
   */
  request(op, args = {}, timeoutMs = 300_000) {
    if (this.#exitError) return Promise.reject(this.#exitError);
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`${this.name}: no answer to ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (/** @type {(v: any) => void} */ settle) => (/** @type {any} */ v) => {
        clearTimeout(timer);
        settle(v);
      };
      this.#waiting.set(id, { resolve: done(resolve), reject: done(reject) });
      this.#process.send({ id, op, ...args });
    });
  }

  /** Asks the child to exit (so a CPU profile gets written), killing it if it does not. */
  async stop() {
    if (this.#exitError) return;
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.request('exit', {}, STOP_TIMEOUT_MS).catch(() => {});
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Starts `node [nodeArgs] script [args]` with an IPC channel, raising its
 * open-file limit through `bash -c 'ulimit -n …; exec …'` when it needs more
 * than this shell allows, and resolves once it prints its `READY {json}` line.
 * @param {string} script
 * @param {string[]} args
 * @param {ChildOptions} options
 * @returns {Promise<Child>}
 */
export async function startChild(script, args, options) {
  const { name, nodeArgs = [], fds, verbose = false, cpu } = options;
  const pin = cpu === undefined ? [] : ['taskset', '-c', String(cpu)];
  const command = [process.execPath, ...nodeArgs, script, ...args];
  /** @type {import('node:child_process').SpawnOptions} */
  const spawnOptions = {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    serialization: 'advanced',
  };
  const { soft, hard } = fdLimits();
  let child;
  if (fds !== undefined && fds > soft) {
    if (fds > hard) {
      throw new Error(`${name} needs ${fds} open files; the hard limit is ${hard}`);
    }
    // The IPC channel's fd and NODE_CHANNEL_FD survive bash's exec.
    const raise = ['bash', '-c', 'ulimit -n "$0" && exec "$@"', String(fds), ...command];
    const full = [...pin, ...raise];
    child = spawn(full[0], full.slice(1), spawnOptions);
  } else {
    const full = [...pin, ...command];
    child = spawn(full[0], full.slice(1), spawnOptions);
  }
  const wrapped = new Child(child, name);
  const lines = createInterface({
    input: /** @type {import('node:stream').Readable} */ (child.stdout),
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} was not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    let ready = false;
    lines.on('line', (line) => {
      if (!ready && line.startsWith('READY')) {
        ready = true;
        clearTimeout(timer);
        wrapped.info = JSON.parse(line.slice('READY'.length).trim() || '{}');
        resolve(undefined);
      } else if (verbose) {
        process.stderr.write(`[${name}] ${line}\n`);
      }
    });
    wrapped.exited.then(() => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${name} exited before it was ready`));
    });
  });
  return wrapped;
}

/** @type {boolean | undefined} */
let tasksetWorks;

/**
 * CPUs to pin clients and servers to, so that the scheduler cannot move
 * them around between rounds (on a VM an idle vCPU wakes slowly, and which
 * process shares a CPU with which changes latency several-fold): clients on
 * CPU 0, servers on CPU 1. `undefined` with fewer than 2 CPUs or no taskset.
 * @returns {{ client: number, server: number } | undefined}
 */
export function cpuPlan() {
  if (tasksetWorks === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      tasksetWorks = true;
    } catch {
      tasksetWorks = false;
    }
  }
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  return tasksetWorks && cpus >= 2 ? { client: 0, server: 1 } : undefined;
}
