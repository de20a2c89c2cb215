// The TLS benchmarks' certificates, as the server and client children read
// them: the files tools/test-pki made in the run's private temporary
// directory (lib/transports.mjs), which run.mjs removes at the end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} Certificates
 * @property {string} ca the CA both sides trust, PEM
 * @property {{ cert: string, key: string }} server for localhost, 127.0.0.1 and ::1
 * @property {{ cert: string, key: string }} client `CN=client`
 */

/** @type {Map<string, Certificates>} */
const loaded = new Map();

/**
 * The CA, server and client certificates `makeTestPki(dir)` made.
 * @param {string} dir
 * @returns {Certificates}
 */
export function loadCertificates(dir) {
  let found = loaded.get(dir);
  if (!found) {
    const read = (/** @type {string} */ file) => readFileSync(join(dir, file), 'utf8');
    found = {
      ca: read('ca.crt'),
      server: { cert: read('server.crt'), key: read('server.key') },
      client: { cert: read('client.crt'), key: read('client.key') },
    };
    loaded.set(dir, found);
  }
  return found;
}
