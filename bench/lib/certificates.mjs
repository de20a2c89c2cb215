// The TLS benchmarks' certificates: a CA, a server certificate for
// 127.0.0.1/::1/localhost and a client certificate (mutual TLS), all made
// fresh by each run with the openssl CLI (P-256 keys, valid for 2 days) into
// the run's private temporary directory, which run.mjs removes at the end.
// Nothing here is ever stored in the repository.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} Certificates
 * @property {string} ca the CA both sides trust, PEM
 * @property {{ cert: string, key: string }} server for localhost, 127.0.0.1 and ::1
 * @property {{ cert: string, key: string }} client `CN=client`
 */

/**
 * @param {string} dir
 * @param {string[]} args
 */
function openssl(dir, args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A new P-256 key `NAME.key` and certificate `NAME.crt` for `subject`,
 * signed by `issuer` (or self-signed), in `dir`.
 * @param {string} dir
 * @param {string} name
 * @param {string} subject
 * @param {{ issuer: string, altNames: string }} [signed]
 */
function issue(dir, name, subject, signed) {
  const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const key = ['-keyout', `${name}.key`];
  if (!signed) {
    openssl(dir, [
      'req',
      '-x509',
      ...keyArgs,
      ...key,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      subject,
    ]);
    return;
  }
  openssl(dir, ['req', ...keyArgs, ...key, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${signed.altNames}\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${signed.issuer}.crt`,
    '-CAkey',
    `${signed.issuer}.key`,
    '-set_serial',
    String(Date.now()),
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

/**
 * Makes the certificates in `dir` (created, mode 0700) and returns `dir`,
 * which the server and client children read them from with
 * {@link loadCertificates}.
 * @param {string} dir
 * @returns {string}
 * @throws {Error} when the openssl CLI fails (its stderr in the message), or
 *   with `code` `ENOENT` when it is not installed
 */
export function makeCertificates(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    issue(dir, 'ca', '/CN=localwire bench CA');
    issue(dir, 'server', '/CN=localhost', {
      issuer: 'ca',
      altNames: 'DNS:localhost,IP:127.0.0.1,IP:::1',
    });
    issue(dir, 'client', '/CN=client', { issuer: 'ca', altNames: 'DNS:client' });
  } catch (error) {
    const err = /** @type {NodeJS.ErrnoException & { stderr?: Buffer }} */ (error);
    const why =
      err.code === 'ENOENT'
        ? 'the openssl CLI is not installed'
        : String(err.stderr ?? err.message);
    throw Object.assign(
      new Error(`could not make the TLS benchmark certificates in ${dir}: ${why.trim()}`),
      { code: err.code },
    );
  }
  return dir;
}

/** @type {Map<string, Certificates>} */
const loaded = new Map();

/**
 * The certificates {@link makeCertificates} made in `dir`.
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
