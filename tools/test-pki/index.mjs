// localwire's TLS tests (packages/tcp, apps/example) and benchmarks make their
// certificates here, fresh for each run with the openssl CLI; no key is ever
// stored in the repository.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCALHOST = 'DNS:localhost,IP:127.0.0.1,IP:::1';

function openssl(dir, args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A new P-256 key `NAME.key` and certificate `NAME.crt` for `subject`, signed by `issuer` (or self-signed). */
function issue(dir, name, subject, issuer, altNames) {
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const key = ['-keyout', `${name}.key`];
  if (issuer === undefined) {
    openssl(dir, [
      'req',
      '-x509',
      ...newKey,
      ...key,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      subject,
    ]);
  } else {
    openssl(dir, ['req', ...newKey, ...key, '-out', `${name}.csr`, '-subj', subject]);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${altNames}\n`);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${issuer}.crt`,
      '-CAkey',
      `${issuer}.key`,
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
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    certFile,
    keyFile,
  };
}

export function makeTestPki(dir) {
  const at = dir ?? mkdtempSync(join(tmpdir(), 'lw-pki-'));
  mkdirSync(at, { recursive: true, mode: 0o700 });
  const dispose = () => rmSync(at, { recursive: true, force: true });
  try {
    const ca = issue(at, 'ca', '/CN=localwire test CA');
    issue(at, 'other-ca', '/CN=untrusted test CA');
    return {
      dir: at,
      ca: ca.cert,
      caFile: ca.certFile,
      server: issue(at, 'server', '/CN=localhost', 'ca', LOCALHOST),
      client: issue(at, 'client', '/CN=client', 'ca', 'DNS:client'),
      wrongName: issue(at, 'wrong-name', '/CN=elsewhere.test', 'ca', 'DNS:elsewhere.test'),
      untrustedClient: issue(at, 'intruder', '/CN=intruder', 'other-ca', 'DNS:intruder'),
      untrustedServer: issue(at, 'rogue', '/CN=localhost', 'other-ca', LOCALHOST),
      dispose,
    };
  } catch (error) {
    dispose();
    const why =
      error.code === 'ENOENT'
        ? 'the openssl CLI is not installed'
        : String(error.stderr ?? error.message);
    throw Object.assign(new Error(`could not make the test certificates in ${at}: ${why.trim()}`), {
      code: error.code,
      cause: error,
    });
  }
}
