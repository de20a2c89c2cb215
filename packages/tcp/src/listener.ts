import { lookup } from 'node:dns/promises';
import { type AddressInfo, isIP, type Server, type Socket } from 'node:net';
import { fromSystemError, ListenerBase, listenExclusive } from '@localwire/transport/author';
import { formatAddress, isLoopback, parseAddress } from './address.js';
import { toConnection } from './connection.js';
import { invalidOption, listenAborted, remoteNotAllowed } from './errors.js';
import type { TcpListenOptions } from './options.js';

/**
 * A server not yet listening, and the event it announces each connection
 * with: `'connection'` for `net`, `'secureConnection'` (after the handshake
 * and the client certificate check) for `tls`.
 */
export interface Acceptor {
  readonly server: Server;
  readonly connectionEvent: 'connection' | 'secureConnection';
}

/** A listening TCP or TLS server; each connection is the accepted socket with `peer` set. */
export class TcpListener extends ListenerBase {
  readonly #server: Server;

  private constructor(acceptor: Acceptor, address: string, signal: AbortSignal | undefined) {
    super(address, signal);
    this.#server = acceptor.server;
    this.#server.on(acceptor.connectionEvent, (socket: Socket) =>
      this.accept(toConnection(socket)),
    );
    // Later errors (e.g. EMFILE on accept) are the listener's.
    this.#server.on('error', (err) => this.emit('error', fromSystemError(err, address)));
  }

  /**
   * Listens at `address` (`host:port`; port 0 lets the OS choose) with the
   * server `makeAcceptor` builds, once the options and the host have been
   * checked. The listener's `address` is where it listens: the chosen port,
   * the host's IP.
   */
  static async open(
    address: string,
    options: TcpListenOptions,
    makeAcceptor: () => Acceptor,
  ): Promise<TcpListener> {
    const { host, port } = parseAddress(address);
    const { access, allowRemote = false, signal } = options;
    checkListenOptions(address, access, allowRemote);
    if (signal?.aborted) throw listenAborted(address, signal);
    const ip = await resolveHost(host, address);
    if (!allowRemote && !isLoopback(ip)) throw remoteNotAllowed(address, ip);
    const acceptor = makeAcceptor();
    await listenExclusive(acceptor.server, { host: ip, port }).catch((err: unknown) => {
      throw fromSystemError(err, address);
    });
    const bound = acceptor.server.address() as AddressInfo;
    const listener = new TcpListener(acceptor, formatAddress(bound.address, bound.port), signal);
    if (signal?.aborted) {
      // Aborted while binding: the listener is closing already.
      await listener.close();
      throw listenAborted(address, signal);
    }
    listener.handOut();
    return listener;
  }

  protected async shutdown(): Promise<void> {
    // Stops listening at once. Its callback would wait for every accepted
    // connection to end, and those are the caller's to end.
    this.#server.close();
  }
}

/**
 * @throws {TransportError} `EINVAL` for `access: 'user'`, which TCP cannot
 * keep, or an `allowRemote` that is not a boolean.
 */
function checkListenOptions(address: string, access: unknown, allowRemote: unknown): void {
  if (access !== undefined && access !== 'everyone') {
    throw invalidOption(
      address,
      `access ${JSON.stringify(access)} cannot be kept over TCP: every local user can connect to a loopback port. Leave access out (or pass 'everyone'); to limit who connects, use tlsTransport with client certificates, or a Unix socket or named pipe`,
    );
  }
  if (typeof allowRemote !== 'boolean') {
    throw invalidOption(
      address,
      `allowRemote must be true or false, not ${JSON.stringify(allowRemote)}`,
    );
  }
}

/** The IP address to bind for `host`: itself, or what a name resolves to first (as `net` would). */
async function resolveHost(host: string, address: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (err) {
    throw fromSystemError(err, address);
  }
}
