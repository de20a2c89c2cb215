import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its private key, PEM. */
export interface Identity {
  readonly cert: string;
  readonly key: string;
}

/** The test PKI: made fresh by each test process with the openssl CLI, never stored. */
export interface TestPki {
  /** The CA both sides trust. */
  readonly ca: string;
  /** The server, for localhost, 127.0.0.1 and ::1; signed by `ca`. */
  readonly server: Identity;
  /** A client (`CN=client`), signed by `ca`. */
  readonly client: Identity;
  /** A server certificate for `elsewhere.test` only; signed by `ca`. */
  readonly wrongName: Identity;
  /** A client (`CN=intruder`) signed by a CA nobody here trusts. */
  readonly untrustedClient: Identity;
  /** A server signed by that untrusted CA. */
  readonly untrustedServer: Identity;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A new P-256 key and a certificate for `subject`, signed by `issuer` (or self-signed). */
function issue(
  dir: string,
  name: string,
  subject: string,
  issuer?: string,
  altNames?: string,
): Identity {
  const key = `${name}.key`;
  const cert = `${name}.crt`;
  const keyArgs = [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
  ];
  if (issuer === undefined) {
    openssl(dir, ['req', '-x509', ...keyArgs, '-out', cert, '-days', '2', '-subj', subject]);
  } else {
    openssl(dir, ['req', ...keyArgs, '-out', `${name}.csr`, '-subj', subject]);
    const ext = `${name}.ext`;
    writeFileSync(
      join(dir, ext),
      altNames ? `subjectAltName=${altNames}\n` : 'basicConstraints=CA:FALSE\n',
    );
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
      cert,
      '-days',
      '2',
      '-extfile',
      ext,
    ]);
  }
  return { cert: readFileSync(join(dir, cert), 'utf8'), key: readFileSync(join(dir, key), 'utf8') };
}

let made: TestPki | undefined;

/** The test PKI, made on first use. The private keys live only in this process's memory. */
export function testPki(): TestPki {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'lw-tls-'));
  try {
    const ca = issue(dir, 'ca', '/CN=localwire test CA');
    issue(dir, 'other-ca', '/CN=untrusted test CA');
    const localhost = 'DNS:localhost,IP:127.0.0.1,IP:::1';
    made = {
      ca: ca.cert,
      server: issue(dir, 'server', '/CN=localhost', 'ca', localhost),
      client: issue(dir, 'client', '/CN=client', 'ca', 'DNS:client'),
      wrongName: issue(dir, 'wrong-name', '/CN=elsewhere.test', 'ca', 'DNS:elsewhere.test'),
      untrustedClient: issue(dir, 'intruder', '/CN=intruder', 'other-ca', 'DNS:intruder'),
      untrustedServer: issue(dir, 'rogue', '/CN=localhost', 'other-ca', localhost),
    };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
