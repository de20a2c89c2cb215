import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Returns a function that makes a fresh empty directory for one test; all of
 * them are removed after the test file. Mode 0755, so a child process running
 * as another user can reach the sockets inside.
 */
export function useTempDirs(): () => string {
  const base = mkdtempSync(join(tmpdir(), 'lw-unix-'));
  chmodSync(base, 0o755);
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  let count = 0;
  return () => {
    const dir = join(base, String(++count));
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    return dir;
  };
}
