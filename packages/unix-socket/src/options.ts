import { type ListenOptions, TransportError } from '@localwire/transport';

/** Options for `unixSocketTransport.listen`. */
export interface UnixSocketListenOptions extends ListenOptions {
  /**
   * The socket file's permission bits, e.g. `0o660` to let the file's group
   * connect. Overrides `access`. Default: `0o600` (`access: 'user'`) or
   * `0o666` (`access: 'everyone'`). Connecting needs write permission.
   */
  mode?: number;
}

/**
 * The socket file mode `options` ask for at `address`, or `undefined` for an
 * abstract name, which has no file.
 * @throws {TransportError} `EINVAL` for a bad mode or access, or an abstract
 * name with the default `access: 'user'`, which an abstract name cannot keep.
 */
export function socketFileMode(
  address: string,
  options: UnixSocketListenOptions,
  abstract: boolean,
): number | undefined {
  const { access, mode } = options;
  const invalid = (detail: string) =>
    new TransportError('EINVAL', `${JSON.stringify(address)}: ${detail}`, { address });
  if (access !== undefined && access !== 'user' && access !== 'everyone') {
    throw invalid(`access must be 'user' or 'everyone', not ${JSON.stringify(access)}`);
  }
  if (abstract) {
    if (mode !== undefined) throw invalid('an abstract socket name has no file, so no mode');
    if (access !== 'everyone') {
      throw invalid(
        "any local user can connect to an abstract socket name (it has no file permissions); pass access: 'everyone' and check connection.peer, or use a file path",
      );
    }
    return undefined;
  }
  const fileMode = mode ?? (access === 'everyone' ? 0o666 : 0o600);
  if (!Number.isInteger(fileMode) || fileMode < 0 || fileMode > 0o777) {
    throw invalid(`mode must be permission bits from 0 to 0o777, not ${mode}`);
  }
  return fileMode;
}
