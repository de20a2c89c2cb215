/**
 * Loopback TCP addresses and a throwaway PKI for the `tcp://` and `tls://`
 * tests. The certificates are made fresh with the openssl CLI (as
 * packages/tcp's tests make theirs), as files, since the CLI reads them from
 * `--cert`, `--key` and `--ca`; the directory goes in the suite's `afterAll`.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A loopback address only: the tests never listen on any other. */
export type LoopbackHost = '127.0.0.1' | '::1';

/**
 * `<scheme>://<host>:<port>` (`[::1]` for IPv6) at a port that was free a
 * moment ago: the OS chose it for a listen on port 0, which was then closed.
 */
export async function freeTcpAddress(scheme: 'tcp' | 'tls', host: LoopbackHost): Promise<string> {
  const server = createServer();
  server.listen({ host, port: 0, exclusive: true });
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return `${scheme}://${host === '::1' ? `[${host}]` : host}:${port}`;
}

/** A certificate and key, as the paths of PEM files. */
export interface IdentityFiles {
  readonly cert: string;
  readonly key: string;
}

/** The files of a test PKI, and a way to remove them. */
export interface PkiFiles {
  /** The CA both sides trust. */
  readonly ca: string;
  /** The server, for localhost, 127.0.0.1 and ::1; signed by `ca`. */
  readonly server: IdentityFiles;
  /** A client, `CN=client`; signed by `ca`. */
  readonly client: IdentityFiles;
  /** Removes the files. */
  dispose(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const newKey = (key: string) => [
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:P-256',
  '-nodes',
  '-keyout',
  key,
];

/** A P-256 key and a certificate for `subject` with `altNames`, signed by the CA in `dir`. */
function issue(dir: string, name: string, subject: string, altNames: string): IdentityFiles {
  openssl(dir, ['req', ...newKey(`${name}-key.pem`), '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${altNames}\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-set_serial',
    String(Date.now()),
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) };
}

/** Makes a CA, a server and a client certificate in a fresh temp directory. */
export function makePki(): PkiFiles {
  const dir = mkdtempSync(join(tmpdir(), 'lwx-pki-'));
  try {
    const subject = '/CN=localwire-example test CA';
    openssl(dir, [
      'req',
      '-x509',
      ...newKey('ca-key.pem'),
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      subject,
    ]);
    return {
      ca: join(dir, 'ca.pem'),
      server: issue(dir, 'server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1,IP:::1'),
      client: issue(dir, 'client', '/CN=client', 'DNS:client'),
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
