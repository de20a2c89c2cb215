import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConformance } from '@localwire/transport/conformance';
import { unixSocketTransport } from '@localwire/unix-socket';

// In a vitest test file: every case of the shared suite, against this transport.
const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
let count = 0;
runConformance({
  name: 'unix-socket',
  createTransport: () => unixSocketTransport,
  createAddress: () => join(dir, `${++count}.sock`),
});
