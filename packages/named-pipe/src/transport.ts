/**
 * The public transport: options, validation, and the platform gate. Nothing
 * here touches koffi, so the package imports cleanly on every OS.
 */
import {
  type Connection,
  type ConnectOptions,
  type Listener,
  type ListenOptions,
  type Transport,
  type TransportCapabilities,
  TransportError,
  unsupportedPlatform,
} from '@localwire/transport';
import { connectPipe } from './client.js';
import { listenPipe } from './listener.js';

/** Options for {@link NamedPipeTransport.listen}. */
export interface NamedPipeListenOptions extends ListenOptions {
  /**
   * Who may connect, as a security descriptor in SDDL, e.g.
   * `'D:P(A;;GA;;;SY)(A;;0x12018b;;;BU)'`; replaces the one `access` builds.
   * The owner (`O:`) is set to the current user unless given. Grant other
   * users at most `0x12018b` (read, write data, write attributes): more
   * (`GA`, `GW`) includes `FILE_CREATE_PIPE_INSTANCE`, which would let them
   * serve rogue instances of this pipe. A descriptor that grants anyone but
   * its owner, SYSTEM and Administrators `FILE_CREATE_PIPE_INSTANCE` (or
   * `GENERIC_WRITE`, `GENERIC_ALL`, `WRITE_DAC`, `WRITE_OWNER`, which give
   * it), or whose DACL is NULL (`D:NO_ACCESS_CONTROL`: everyone may do
   * anything), is refused with `EINVAL` unless
   * {@link NamedPipeListenOptions.allowInsecureDescriptor} is set.
   */
  securityDescriptor?: string;
  /**
   * Accept a {@link NamedPipeListenOptions.securityDescriptor} that lets
   * other users create instances of this pipe — and so serve your clients
   * as if they were you. Default `false`; set it only when those users are
   * meant to run servers under this name.
   */
  allowInsecureDescriptor?: boolean;
  /**
   * How many server instances wait for clients at once (1–64, default 4), so
   * that clients connecting in a burst seldom find every instance busy.
   */
  pendingInstances?: number;
}

/** Options for {@link NamedPipeTransport.connect}. */
export interface NamedPipeConnectOptions extends ConnectOptions {
  /**
   * Refuse (`EACCES`) a pipe whose owner is not the current user, SYSTEM
   * (`S-1-5-18`) or Administrators (`S-1-5-32-544`), as .NET's
   * `PipeOptions.CurrentUserOnly` does: another user cannot squat the name and
   * pose as your server. SYSTEM and Administrators are trusted because only
   * an account that could act as anyone anyway can own a pipe as them (it is
   * the owner a service's or an elevated server's pipe gets by default).
   * Default `true`; set `false` to reach a server run by another account on
   * purpose.
   */
  verifyOwner?: boolean;
}

declare module '@localwire/transport' {
  /** Named pipes' connect options, for code that cannot infer them from the transport. */
  interface ConnectOptionsByTransport {
    'named-pipe': NamedPipeConnectOptions;
  }
}

const DEFAULT_PENDING_INSTANCES = 4;
const MAX_PENDING_INSTANCES = 64;

/**
 * Windows named pipes, created and connected through Win32 (koffi) and read
 * and written by libuv. Secure by default: the pipe admits the current user
 * and SYSTEM only, refuses remote clients, and its name cannot be squatted.
 * Connections are `net.Socket`s with `peer` set to `{ pid, sid }`.
 *
 * Off Windows every method rejects with `ERR_UNSUPPORTED_PLATFORM`.
 *
 * @example
 * ```ts
 * const listener = await namedPipeTransport.listen('\\\\.\\pipe\\my-app');
 * listener.on('connection', (connection) => connection.pipe(connection));
 * const client = await namedPipeTransport.connect('\\\\.\\pipe\\my-app', { timeout: 5000 });
 * ```
 */
export class NamedPipeTransport
  implements Transport<NamedPipeListenOptions, NamedPipeConnectOptions>
{
  readonly name = 'named-pipe';

  /**
   * Byte-mode pipes cannot half-close: `end()` finishes writing but tells the
   * peer nothing; the peer sees EOF once this side is destroyed.
   */
  readonly capabilities: TransportCapabilities = {
    halfClose: false,
    peerCredentials: process.platform === 'win32' ? ['pid', 'sid'] : [],
  };

  /**
   * Listens at `address` (`\\.\pipe\<name>`).
   * @throws {TransportError} `EINVAL` (bad name, options or SDDL),
   * `EADDRINUSE` (another server has the name), `ABORT_ERR`,
   * `ERR_UNSUPPORTED_PLATFORM`.
   */
  async listen(address: string, options: NamedPipeListenOptions = {}): Promise<Listener> {
    requireWindows();
    const pendingInstances = options.pendingInstances ?? DEFAULT_PENDING_INSTANCES;
    if (
      !Number.isInteger(pendingInstances) ||
      pendingInstances < 1 ||
      pendingInstances > MAX_PENDING_INSTANCES
    ) {
      throw new TransportError(
        'EINVAL',
        `${address}: pendingInstances must be an integer from 1 to ${MAX_PENDING_INSTANCES}, got ${pendingInstances}`,
        { address },
      );
    }
    if (
      options.allowInsecureDescriptor !== undefined &&
      typeof options.allowInsecureDescriptor !== 'boolean'
    ) {
      throw new TransportError(
        'EINVAL',
        `${address}: allowInsecureDescriptor must be true or false, got ${JSON.stringify(options.allowInsecureDescriptor)}`,
        { address },
      );
    }
    if (options.securityDescriptor !== undefined && options.access !== undefined) {
      throw new TransportError(
        'EINVAL',
        `${address}: give either access or securityDescriptor, not both — the descriptor already says who may connect`,
        { address },
      );
    }
    return listenPipe(address, {
      access: options.access ?? 'user',
      securityDescriptor: options.securityDescriptor,
      allowInsecureDescriptor: options.allowInsecureDescriptor ?? false,
      pendingInstances,
      signal: options.signal,
    });
  }

  /**
   * Connects to the server at `address` (`\\.\pipe\<name>`), waiting while
   * every instance is busy until `timeout` or `signal`.
   * @throws {TransportError} `EINVAL`, `ENOENT`, `ETIMEDOUT`, `ABORT_ERR`,
   * `EACCES`, `ERR_UNSUPPORTED_PLATFORM`.
   */
  async connect(address: string, options: NamedPipeConnectOptions = {}): Promise<Connection> {
    requireWindows();
    return connectPipe(address, {
      timeout: options.timeout,
      signal: options.signal,
      verifyOwner: options.verifyOwner ?? true,
    });
  }
}

function requireWindows(): void {
  if (process.platform !== 'win32') throw unsupportedPlatform('@localwire/named-pipe', 'Windows');
}

/** The shared {@link NamedPipeTransport}. */
export const namedPipeTransport: NamedPipeTransport = new NamedPipeTransport();
