import { dirname } from 'node:path';
import { TransportError } from '@localwire/transport';
import { describeError, fromSystemError } from '@localwire/transport/author';

/** `EADDRINUSE` for `address`; `detail` replaces the generic "a server runs there". */
export function addressInUse(address: string, detail?: string, cause?: unknown): TransportError {
  return new TransportError('EADDRINUSE', describeError('EADDRINUSE', address, detail), {
    address,
    cause,
  });
}

/** `ABORT_ERR` for a listen at `address` whose `signal` aborted. */
export function listenAborted(address: string, signal: AbortSignal): TransportError {
  return new TransportError('ABORT_ERR', describeError('ABORT_ERR', address), {
    address,
    cause: signal.reason,
  });
}

/** `EINVAL` for a socket path through a file that is not a directory. */
export function notADirectory(address: string, cause?: unknown): TransportError {
  const sys = cause as NodeJS.ErrnoException | undefined;
  return new TransportError(
    'EINVAL',
    describeError(
      'EINVAL',
      address,
      `a component of ${dirname(address)} is not a directory; fix the path`,
    ),
    { address, syscall: sys?.syscall, errno: sys?.errno, cause },
  );
}

/**
 * Turns an error from connecting to `address` into a {@link TransportError}:
 * a path through a file that is not a directory is `EINVAL`, as for `listen`.
 */
export function connectError(err: unknown, address: string): Error {
  const sys = err as NodeJS.ErrnoException;
  return sys?.code === 'ENOTDIR' ? notADirectory(address, err) : fromSystemError(err, address);
}

/** Turns an error from creating the socket at `address` into a {@link TransportError}. */
export function listenError(err: unknown, address: string): Error {
  const sys = err as NodeJS.ErrnoException;
  const dir = dirname(address);
  const fail = (code: 'ENOENT' | 'EACCES', detail: string) =>
    new TransportError(code, describeError(code, address, detail), {
      address,
      syscall: sys.syscall,
      errno: sys.errno,
      cause: err,
    });
  switch (sys?.code) {
    case 'ENOENT':
      return fail('ENOENT', `the directory ${dir} does not exist; create it first`);
    case 'ENOTDIR':
      return notADirectory(address, err);
    case 'EACCES':
    case 'EPERM':
      return fail(
        'EACCES',
        `permission denied creating a socket in ${dir}; use a directory you may write to, such as $XDG_RUNTIME_DIR`,
      );
    case 'EADDRINUSE':
      return addressInUse(address, undefined, err);
    default:
      return fromSystemError(err, address);
  }
}
