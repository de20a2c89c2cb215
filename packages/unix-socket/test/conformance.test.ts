import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformance } from '@localwire/transport/conformance';
import { afterAll } from 'vitest';
import { unixSocketTransport } from '../src/index.js';
import { makeBusy } from './helpers/busy-server.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

runConformance({
  name: 'unix-socket',
  createTransport: () => unixSocketTransport,
  createAddress: () => join(dir, `${++count}.sock`),
  makeBusy,
});

// Abstract names exist only on Linux; elsewhere listen refuses them (EINVAL),
// which listen-paths.test.ts checks.
if (process.platform === 'linux') {
  runConformance({
    name: 'unix-socket, abstract names',
    // The default access: 'user', which an abstract name keeps by checking each peer's uid.
    createTransport: () => unixSocketTransport,
    createAddress: () => `\0localwire-conformance-${process.pid}-${++count}`,
    makeBusy,
  });
}
