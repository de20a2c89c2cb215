import { type ConnectOptions, type ListenOptions, TransportError } from '@localwire/transport';

/** Options for `unixSocketTransport.listen`. */
export interface UnixSocketListenOptions extends ListenOptions {
  /**
   * The socket file's permission bits, e.g. `0o660` to let the file's group
   * connect. Overrides `access`. Default: `0o600` (`access: 'user'`) or
   * `0o666` (`access: 'everyone'`). Connecting needs write permission.
   * An abstract name has no file, so no mode.
   */
  mode?: number;
}

/** Options for `unixSocketTransport.connect`. */
export interface UnixSocketConnectOptions extends ConnectOptions {
  /**
   * Refuse (`EACCES`) a server that runs as another user: right after
   * connecting, before a byte is sent, the server's uid is read
   * (`SO_PEERCRED` on Linux, `LOCAL_PEERCRED` on macOS; elsewhere the socket
   * file's owner) and must be this process's effective uid, root (0), or one
   * of {@link UnixSocketConnectOptions.trustUids}. Otherwise whoever bound
   * the address first — any local user, for a name in a shared directory or
   * an abstract name — would receive your requests. Default `true`; `false`
   * connects to whoever serves.
   */
  verifyOwner?: boolean;
  /**
   * Other users whose servers are trusted too, e.g. the uid of a system
   * daemon's account: `trustUids: [daemonUid]`. Default: none.
   */
  trustUids?: readonly number[];
}

/** {@link UnixSocketConnectOptions} checked, with their defaults. */
export interface OwnerPolicy {
  readonly verifyOwner: boolean;
  readonly trustUids: readonly number[];
}

const invalid = (address: string, detail: string) =>
  new TransportError('EINVAL', `${JSON.stringify(address)}: ${detail}`, { address });

/**
 * The owner check `options` ask for.
 * @throws {TransportError} `EINVAL` for a `verifyOwner` that is not a boolean
 * or `trustUids` that are not uids.
 */
export function ownerPolicy(address: string, options: UnixSocketConnectOptions): OwnerPolicy {
  const { verifyOwner = true, trustUids = [] } = options;
  if (typeof verifyOwner !== 'boolean') {
    throw invalid(address, `verifyOwner must be true or false, not ${JSON.stringify(verifyOwner)}`);
  }
  if (!Array.isArray(trustUids) || !trustUids.every((uid) => Number.isInteger(uid) && uid >= 0)) {
    throw invalid(address, 'trustUids must be an array of uids (non-negative integers)');
  }
  return { verifyOwner, trustUids };
}

/**
 * The socket file mode `options` ask for at `address`, or `undefined` for an
 * abstract name, which has no file (there `access: 'user'` is kept by a peer
 * uid check at accept instead).
 * @throws {TransportError} `EINVAL` for a bad mode or access, or a mode for an
 * abstract name.
 */
export function socketFileMode(
  address: string,
  options: UnixSocketListenOptions,
  abstract: boolean,
): number | undefined {
  const { access, mode } = options;
  if (access !== undefined && access !== 'user' && access !== 'everyone') {
    throw invalid(address, `access must be 'user' or 'everyone', not ${JSON.stringify(access)}`);
  }
  if (abstract) {
    if (mode !== undefined) {
      throw invalid(
        address,
        "an abstract socket name has no file, so no mode; use access: 'user' or 'everyone'",
      );
    }
    return undefined;
  }
  const fileMode = mode ?? (access === 'everyone' ? 0o666 : 0o600);
  if (!Number.isInteger(fileMode) || fileMode < 0 || fileMode > 0o777) {
    throw invalid(address, `mode must be permission bits from 0 to 0o777, not ${mode}`);
  }
  return fileMode;
}
