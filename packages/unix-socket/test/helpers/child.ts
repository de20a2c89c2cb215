import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built package, for child processes (they run plain JavaScript). */
export const DIST_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Another user for tests run as root: the kernel then enforces permissions on the child. */
export const NOBODY = 65534;
export const isRoot = process.geteuid?.() === 0;

/**
 * Runs `test/fixtures/<fixture>` in a child node. As root the child switches
 * to `nobody` (uid/gid 65534, no supplementary groups) once its code is
 * loaded (fixtures/switch-user.mjs), since root bypasses the permission
 * checks some tests are about; `asNobody: false` keeps it as we are.
 */
export function spawnFixture(
  fixture: string,
  args: string[],
  { asNobody = true }: { asNobody?: boolean } = {},
): ChildProcess {
  if (!existsSync(DIST_ENTRY)) {
    throw new Error(`${DIST_ENTRY} is missing: build the package first (npm run build)`);
  }
  const options: SpawnOptions = { stdio: ['ignore', 'pipe', 'inherit'], cwd: '/' };
  if (isRoot && asNobody) options.env = { ...process.env, LOCALWIRE_FIXTURE_UID: String(NOBODY) };
  return spawn(process.execPath, [`${FIXTURES}${fixture}`, DIST_ENTRY, ...args], options);
}

const readers = new WeakMap<ChildProcess, AsyncIterator<string>>();

/** The next line the child prints; rejects if it exits first. */
export async function readLine(child: ChildProcess): Promise<string> {
  let lines = readers.get(child);
  if (!lines) {
    const rl: Interface = createInterface({ input: child.stdout! });
    lines = rl[Symbol.asyncIterator]();
    readers.set(child, lines);
  }
  const next = await lines.next();
  if (next.done) throw new Error(`the child exited (${child.exitCode ?? child.signalCode})`);
  return next.value;
}
