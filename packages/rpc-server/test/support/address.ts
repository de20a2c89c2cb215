import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const directory = mkdtempSync(join(tmpdir(), 'lw-rpc-'));
process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
let counter = 0;

/** A fresh, short socket path for one test, in a directory removed when the process exits. */
export function tempAddress(): string {
  counter++;
  return join(directory, `${counter}.sock`);
}
