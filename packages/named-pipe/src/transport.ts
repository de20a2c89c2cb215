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
} from '@localwire/transport';
import { unsupportedPlatform } from '@localwire/transport/author';
import { connectPipe } from './client.js';
import { listenPipe } from './listener.js';

/** Options for `namedPipeTransport.listen`. */
export interface NamedPipeListenOptions extends ListenOptions {
  /**
   * Who may connect, as a security descriptor in SDDL, e.g.
   * `'D:P(A;;GA;;;SY)(A;;0x12018b;;;BU)'`; replaces the one `access` builds.
   * It is converted by
   * [`ConvertStringSecurityDescriptorToSecurityDescriptorW`](https://learn.microsoft.com/en-us/windows/win32/api/sddl/nf-sddl-convertstringsecuritydescriptortosecuritydescriptorw)
   * and passed to every
   * [`CreateNamedPipeW`](https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-createnamedpipew)
   * as the `lpSecurityDescriptor` of its
   * [`SECURITY_ATTRIBUTES`](https://learn.microsoft.com/en-us/windows/win32/api/wtypesbase/ns-wtypesbase-security_attributes).
   * The owner (`O:`) is set to the current user unless given. Grant other
   * users at most `0x12018b` (read, write data, write attributes): more
   * (`GA`, `GW`) includes `FILE_CREATE_PIPE_INSTANCE`
   * ([named pipe security and access rights](https://learn.microsoft.com/en-us/windows/win32/ipc/named-pipe-security-and-access-rights)),
   * which would let them serve rogue instances of this pipe. A descriptor
   * that grants anyone but its owner, SYSTEM and Administrators
   * `FILE_CREATE_PIPE_INSTANCE` (or `GENERIC_WRITE`, `GENERIC_ALL`,
   * `WRITE_DAC`, `WRITE_OWNER`, which give it), or whose DACL is NULL
   * (`D:NO_ACCESS_CONTROL`: everyone may do anything), is refused with
   * `EINVAL` unless {@link NamedPipeListenOptions.allowInsecureDescriptor} is
   * set.
   */
  securityDescriptor?: string;
  /**
   * Accept a {@link NamedPipeListenOptions.securityDescriptor} that lets
   * other users create instances of this pipe — that is, grants them
   * `FILE_CREATE_PIPE_INSTANCE`
   * ([named pipe security and access rights](https://learn.microsoft.com/en-us/windows/win32/ipc/named-pipe-security-and-access-rights))
   * — and so serve your clients as if they were you. Default `false`; set it
   * only when those users are meant to run servers under this name.
   */
  allowInsecureDescriptor?: boolean;
  /**
   * How many server instances wait for clients at once (1–64, default 4), so
   * that clients connecting in a burst seldom find every instance busy: each
   * is one
   * [`CreateNamedPipeW`](https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-createnamedpipew)
   * instance with an overlapped
   * [`ConnectNamedPipe`](https://learn.microsoft.com/en-us/windows/win32/api/namedpipeapi/nf-namedpipeapi-connectnamedpipe)
   * pending, replaced as soon as a client takes it. It is not
   * `nMaxInstances`, which is `PIPE_UNLIMITED_INSTANCES`: connected clients
   * are not limited by it.
   */
  pendingInstances?: number;
}

/** Options for `namedPipeTransport.connect`. */
export interface NamedPipeConnectOptions extends ConnectOptions {
  /**
   * Refuse (`EACCES`) a pipe whose owner is not the current user, SYSTEM
   * (`S-1-5-18`) or Administrators (`S-1-5-32-544`), as .NET's
   * `PipeOptions.CurrentUserOnly` does: another user cannot squat the name and
   * pose as your server. The owner is read from the open client handle by
   * [`GetSecurityInfo`](https://learn.microsoft.com/en-us/windows/win32/api/aclapi/nf-aclapi-getsecurityinfo)
   * (`SE_KERNEL_OBJECT`, `OWNER_SECURITY_INFORMATION`) before anything is
   * written. SYSTEM and Administrators are trusted because only an account
   * that could act as anyone anyway can own a pipe as them (it is the owner a
   * service's or an elevated server's pipe gets by default). Default `true`;
   * set `false` to reach a server run by another account on purpose.
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

/** The Windows named pipe {@link Transport}, with its own listen and connect options. */
export type NamedPipeTransport = Transport<NamedPipeListenOptions, NamedPipeConnectOptions>;

function requireWindows(): void {
  if (process.platform !== 'win32') throw unsupportedPlatform('@localwire/named-pipe', 'Windows');
}

async function listen(address: string, options: NamedPipeListenOptions = {}): Promise<Listener> {
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

async function connect(
  address: string,
  options: NamedPipeConnectOptions = {},
): Promise<Connection> {
  requireWindows();
  return connectPipe(address, {
    timeout: options.timeout,
    signal: options.signal,
    verifyOwner: options.verifyOwner ?? true,
  });
}

/**
 * Windows named pipes, created and connected through Win32 (koffi) and read
 * and written by libuv. Connections are `net.Socket`s with `peer` set to
 * `{ pid, sid }` (from
 * [`GetNamedPipeClientProcessId`](https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-getnamedpipeclientprocessid)
 * and the client's token).
 *
 * Secure by default:
 * - `listen` (`\\.\pipe\<name>`) admits the current user and SYSTEM only
 *   (`access: 'user'`; `'everyone'` grants other users read and write, never
 *   `FILE_CREATE_PIPE_INSTANCE`), refuses remote clients
 *   (`PIPE_REJECT_REMOTE_CLIENTS` in
 *   [`CreateNamedPipeW`](https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-createnamedpipew)'s
 *   `dwPipeMode`), and creates the first instance with
 *   `FILE_FLAG_FIRST_PIPE_INSTANCE`, so a name another server holds is
 *   `EADDRINUSE` rather than shared. Throws `EINVAL` (bad name, options or
 *   SDDL), `EADDRINUSE`, `ABORT_ERR`.
 * - `connect` opens the pipe with
 *   [`CreateFileW`](https://learn.microsoft.com/en-us/windows/win32/api/fileapi/nf-fileapi-createfilew)
 *   and `SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION`, so the server can
 *   identify the client but not act as it
 *   ([impersonation levels](https://learn.microsoft.com/en-us/windows/win32/secauthz/impersonation-levels)),
 *   checks the pipe's owner (see {@link NamedPipeConnectOptions.verifyOwner}),
 *   and waits while every instance is busy until `timeout` or `signal`.
 *   Throws `EINVAL`, `ENOENT`, `ETIMEDOUT`, `ABORT_ERR`, `EACCES`.
 * - Byte-mode pipes cannot half-close (`capabilities.halfClose` is `false`):
 *   `end()` finishes writing but tells the peer nothing; the peer sees EOF
 *   once this side is destroyed.
 *
 * Off Windows `listen` and `connect` reject with `ERR_UNSUPPORTED_PLATFORM`.
 *
 * @example
 * {@includeCode ../examples/listen-connect.ts}
 */
export const namedPipeTransport: NamedPipeTransport = Object.freeze({
  name: 'named-pipe',
  get capabilities(): TransportCapabilities {
    return {
      halfClose: false,
      peerCredentials: process.platform === 'win32' ? ['pid', 'sid'] : [],
    };
  },
  listen,
  connect,
});
