/**
 * Which transport an `--address` names: `tcp://host:port` (plain TCP),
 * `tls://host:port` (TLS, with the PEM files of `--cert`, `--key`, `--ca`),
 * or, without a scheme, this OS's own transport (a socket path or pipe name).
 */

import { readFileSync } from 'node:fs';
import { tcpTransport, tlsTransport } from '@localwire/tcp';
import type { Access, Transport } from '@localwire/transport';
import { CliError, ExitCode, UsageError } from './errors.js';
import { transport as platformTransport, transportDescription } from './platform.js';

/** The `--cert`, `--key` and `--ca` flags: paths of PEM files, for `tls://` addresses. */
export interface TlsFlags {
  cert?: string | undefined;
  key?: string | undefined;
  ca?: string | undefined;
}

/** `--cert`, `--key` and `--ca`, taken by every command that takes `--address`. */
export const tlsFlagOptions = {
  cert: { type: 'string' },
  key: { type: 'string' },
  ca: { type: 'string' },
} as const;

/** What the address is for: listening (`serve`) or connecting (`call`, `watch`). */
export type Role = 'listen' | 'connect';

/** Where to listen or connect, and over what. */
export interface Endpoint {
  /** `local` (this OS's transport), `tcp` or `tls`. */
  readonly kind: 'local' | 'tcp' | 'tls';
  /** The transport the address names. */
  readonly transport: Transport;
  /** The address as the transport takes it: without the scheme. */
  readonly address: string;
  /** The transport in words, for messages. */
  readonly description: string;
  /**
   * A transport address (the endpoint's, or where a listener ended up) as
   * the user writes it: with the scheme again, e.g. `tcp://127.0.0.1:7000`.
   */
  show(address: string): string;
}

// Two letters at least: `C://…` is a Windows drive, not a scheme.
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):\/\//;

/**
 * The endpoint `text` names, with its TLS files read for a `tls://` address.
 * @throws {UsageError} for an unknown scheme, TLS flags on another address,
 * or (`EINVAL`) a TLS server without `--cert`/`--key`, or one of the two
 * without the other.
 * @throws {CliError} exit code 2 when a file cannot be read or holds no PEM.
 */
export function resolveEndpoint(text: string, flags: TlsFlags, role: Role): Endpoint {
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme !== 'tls') {
    const given = (['cert', 'key', 'ca'] as const).filter((flag) => flags[flag] !== undefined);
    if (given.length > 0) {
      throw new UsageError(
        `--${given[0]} is for tls:// addresses, not ${JSON.stringify(text)}; e.g. --address tls://127.0.0.1:7443`,
      );
    }
  }
  if (scheme === undefined) {
    return {
      kind: 'local',
      transport: platformTransport,
      address: text,
      description: transportDescription,
      show: (address) => address,
    };
  }
  const address = text.slice(`${scheme}://`.length);
  const show = (at: string) => `${scheme}://${at}`;
  if (scheme === 'tcp') {
    return {
      kind: 'tcp',
      transport: tcpTransport,
      address,
      description: 'TCP (@localwire/tcp)',
      show,
    };
  }
  if (scheme === 'tls') {
    const transport = tlsTransport(readTlsFiles(flags, role, text));
    return { kind: 'tls', transport, address, description: 'TLS (@localwire/tcp)', show };
  }
  throw new UsageError(
    `unknown scheme ${JSON.stringify(`${scheme}://`)} in ${JSON.stringify(text)}: use tcp://host:port, tls://host:port, or a socket path or pipe name without a scheme`,
  );
}

/**
 * The access a listener at `endpoint` is given for `--access` (`requested`,
 * if given): `user` by default on this OS's transport; nothing on TCP and
 * TLS, where every local user can reach a loopback port.
 * @throws {UsageError} `EINVAL` for `--access user` over TCP or TLS.
 */
export function listenAccess(
  endpoint: Endpoint,
  requested: Access | undefined,
): Access | undefined {
  if (endpoint.kind === 'local') return requested ?? 'user';
  if (requested === 'user') {
    throw new UsageError(
      `--access user cannot be kept at ${endpoint.show(endpoint.address)}: every local user can connect to a loopback port. Leave --access out; to limit who connects, use tls:// (each client needs a certificate signed by --ca) or a socket path or pipe name`,
      'EINVAL',
    );
  }
  return requested;
}

/** Who may connect to a listener at `endpoint` with `access`, in words for the log. */
export function describeAccess(endpoint: Endpoint, access: Access | undefined): string {
  if (endpoint.kind === 'tls') return 'clients with a trusted certificate';
  return access ?? 'everyone';
}

function readTlsFiles(flags: TlsFlags, role: Role, text: string) {
  if (role === 'listen') {
    const what = {
      cert: "the server's certificate",
      key: 'its private key',
      ca: "the CA that signs the clients' certificates",
    };
    for (const flag of ['cert', 'key', 'ca'] as const) {
      if (flags[flag] === undefined) {
        throw new UsageError(
          `serving at ${text} needs --${flag} <file> (${what[flag]}, PEM); a TLS server needs --cert, --key and --ca`,
          'EINVAL',
        );
      }
    }
  } else if ((flags.cert === undefined) !== (flags.key === undefined)) {
    const [given, missing] = flags.cert === undefined ? ['key', 'cert'] : ['cert', 'key'];
    throw new UsageError(
      `--${given} needs --${missing}: a client certificate is given as --cert <file> and --key <file> together`,
      'EINVAL',
    );
  }
  return {
    cert: readPem('cert', flags.cert),
    key: readPem('key', flags.key),
    ca: readPem('ca', flags.ca),
  };
}

/**
 * The PEM text of the file `--<flag>` names.
 * @throws {CliError} exit code 2, coded as the OS said (`ENOENT`, `EACCES`,
 * `EISDIR`, …) or `EINVAL` for a file without PEM, naming the flag and file.
 */
function readPem(flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // Node's message leads with its code and ends with the path: keep the reason.
    const reason = (message ?? String(error)).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    throw new CliError(
      `cannot read --${flag} file ${JSON.stringify(file)}: ${reason}`,
      ExitCode.usage,
      code,
    );
  }
  if (!text.includes('-----BEGIN ')) {
    throw new CliError(
      `--${flag} file ${JSON.stringify(file)} holds no PEM (no "-----BEGIN" line); give a PEM certificate or key`,
      ExitCode.usage,
      'EINVAL',
    );
  }
  return text;
}

/**
 * The `--address`, `--cert`, `--key` and `--ca` lines of a command's
 * `--help`, for a server (`listen`) or a client (`connect`).
 */
export function addressHelp(role: Role, defaultAddress: string): string {
  const where = role === 'listen' ? 'where to listen' : "the server's address";
  const tls =
    role === 'listen'
      ? `  --cert <file>          tls://: this server's certificate, PEM (required)
  --key <file>           tls://: its private key, PEM (required)
  --ca <file>            tls://: the CA that signs the clients' certificates,
                         PEM (required); every client must present one`
      : `  --ca <file>            tls://: the CA that signs the server's certificate,
                         PEM (default: Node's bundled CAs)
  --cert <file>          tls://: this client's certificate, PEM; a tls://
                         server requires one
  --key <file>           tls://: its private key, PEM`;
  const loopback = role === 'listen' ? ', loopback only' : '';
  return `  -a, --address <addr>   ${where} (default: ${defaultAddress}):
                           <path or pipe name>  this OS's local transport
                           tcp://<host>:<port>  plain TCP${loopback}
                           tls://<host>:<port>  TLS 1.3 with client certificates
                                                (mutual TLS)${loopback}
                         e.g. tcp://127.0.0.1:7000, tcp://[::1]:7000
${tls}`;
}
