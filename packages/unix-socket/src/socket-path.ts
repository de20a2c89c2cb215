/** The rules a Unix socket address must meet before any system call. */
import { TransportError } from '@localwire/transport';

/**
 * Longest Unix socket path in bytes: `sizeof(sun_path)` minus the terminating
 * NUL — 107 on Linux, 103 on macOS and the BSDs. Node silently truncates a
 * longer path and listens somewhere else, so localwire refuses it.
 */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' || platform === 'android' ? 107 : 103;
}

/** True for a Linux abstract socket name (Node's convention: a leading NUL). */
export function isAbstractSocketName(address: string): boolean {
  return address.startsWith('\0');
}

/**
 * Checks a Unix socket address before any system call.
 * @throws {TransportError} `EINVAL` (empty, a NUL inside, abstract off Linux) or
 * `ENAMETOOLONG` (longer than `sun_path` allows).
 */
export function validateSocketPath(
  address: string,
  platform: NodeJS.Platform = process.platform,
): void {
  // Only an error shows the path; made only then (this runs on every connect).
  const shown = () => JSON.stringify(address);
  if (typeof address !== 'string' || address.length === 0) {
    throw new TransportError(
      'EINVAL',
      'the socket path is empty; give a file path such as /run/user/1000/app.sock',
      { address },
    );
  }
  const abstract = isAbstractSocketName(address);
  if (abstract && platform !== 'linux') {
    throw new TransportError(
      'EINVAL',
      `${shown()}: abstract socket names exist only on Linux; use a file path`,
      { address },
    );
  }
  if (address.indexOf('\0', abstract ? 1 : 0) !== -1) {
    throw new TransportError('EINVAL', `${shown()}: a socket path cannot contain a NUL byte`, {
      address,
    });
  }
  const bytes = Buffer.byteLength(address);
  const max = maxSocketPathBytes(platform);
  if (bytes > max) {
    throw new TransportError(
      'ENAMETOOLONG',
      `${shown()} is ${bytes} bytes, longer than the ${max} bytes a Unix socket path may have on ${platform}; use a shorter path (e.g. under $XDG_RUNTIME_DIR or /tmp)`,
      { address },
    );
  }
}
