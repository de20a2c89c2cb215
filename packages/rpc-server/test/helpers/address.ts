import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIPE_PREFIX } from '@localwire/named-pipe';

let counter = 0;

/** Where the test sockets of this process live: a directory removed when the process exits. */
let directory: string | undefined;

/**
 * A fresh address for one test on this OS's transport: a short socket path in
 * a private temp directory, or on Windows a pipe name no other process (or
 * earlier run) uses.
 */
export function tempAddress(): string {
  counter++;
  if (process.platform === 'win32') {
    const nonce = Math.random().toString(36).slice(2, 8);
    return `${PIPE_PREFIX}lw-rpc-${process.pid}-${nonce}-${counter}`;
  }
  if (directory === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'lw-rpc-'));
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
    directory = created;
  }
  return join(directory, `${counter}.sock`);
}
