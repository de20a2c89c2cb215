/**
 * Win32 error numbers this package meets, and how they map onto localwire's
 * Node-style codes. The Win32 number always stays on `TransportError.winError`.
 */
import { TransportError, type TransportErrorCode } from '@localwire/transport';
import { describeError } from '@localwire/transport/author';

export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_PATH_NOT_FOUND = 3;
export const ERROR_TOO_MANY_OPEN_FILES = 4;
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_INVALID_PARAMETER = 87;
export const ERROR_BROKEN_PIPE = 109;
export const ERROR_SEM_TIMEOUT = 121;
export const ERROR_INVALID_NAME = 123;
export const ERROR_BAD_PATHNAME = 161;
export const ERROR_FILENAME_EXCED_RANGE = 206;
export const ERROR_PIPE_BUSY = 231;
export const ERROR_NO_DATA = 232;
export const ERROR_PIPE_CONNECTED = 535;
export const ERROR_OPERATION_ABORTED = 995;
export const ERROR_IO_PENDING = 997;
export const ERROR_INVALID_ACL = 1336;
export const ERROR_INVALID_SID = 1337;
export const ERROR_INVALID_SECURITY_DESCR = 1338;

const names: Record<number, string> = {
  [ERROR_FILE_NOT_FOUND]: 'ERROR_FILE_NOT_FOUND',
  [ERROR_PATH_NOT_FOUND]: 'ERROR_PATH_NOT_FOUND',
  [ERROR_TOO_MANY_OPEN_FILES]: 'ERROR_TOO_MANY_OPEN_FILES',
  [ERROR_ACCESS_DENIED]: 'ERROR_ACCESS_DENIED',
  [ERROR_INVALID_PARAMETER]: 'ERROR_INVALID_PARAMETER',
  [ERROR_BROKEN_PIPE]: 'ERROR_BROKEN_PIPE',
  [ERROR_SEM_TIMEOUT]: 'ERROR_SEM_TIMEOUT',
  [ERROR_INVALID_NAME]: 'ERROR_INVALID_NAME',
  [ERROR_BAD_PATHNAME]: 'ERROR_BAD_PATHNAME',
  [ERROR_FILENAME_EXCED_RANGE]: 'ERROR_FILENAME_EXCED_RANGE',
  [ERROR_PIPE_BUSY]: 'ERROR_PIPE_BUSY',
  [ERROR_NO_DATA]: 'ERROR_NO_DATA',
  [ERROR_OPERATION_ABORTED]: 'ERROR_OPERATION_ABORTED',
  [ERROR_INVALID_ACL]: 'ERROR_INVALID_ACL',
  [ERROR_INVALID_SID]: 'ERROR_INVALID_SID',
  [ERROR_INVALID_SECURITY_DESCR]: 'ERROR_INVALID_SECURITY_DESCR',
};

/**
 * A Win32 call failed. The low-level modules throw it; `listen` and `connect`,
 * which know the address, turn it into a {@link TransportError}.
 */
export class Win32CallError extends Error {
  override name = 'Win32CallError';
  constructor(
    readonly syscall: string,
    readonly winError: number,
  ) {
    super(`${syscall} failed: ${win32ErrorName(winError)}`);
  }
}

/** What a failed operation was doing; it picks the code for errors with no closer match. */
export type Operation = 'listen' | 'connect';

const byError: Record<number, TransportErrorCode> = {
  [ERROR_FILE_NOT_FOUND]: 'ENOENT',
  [ERROR_PATH_NOT_FOUND]: 'ENOENT',
  [ERROR_ACCESS_DENIED]: 'EACCES',
  [ERROR_INVALID_NAME]: 'EINVAL',
  [ERROR_BAD_PATHNAME]: 'EINVAL',
  [ERROR_FILENAME_EXCED_RANGE]: 'ENAMETOOLONG',
  [ERROR_INVALID_ACL]: 'EINVAL',
  [ERROR_INVALID_SID]: 'EINVAL',
  [ERROR_INVALID_SECURITY_DESCR]: 'EINVAL',
  [ERROR_SEM_TIMEOUT]: 'ETIMEDOUT',
  [ERROR_OPERATION_ABORTED]: 'ABORT_ERR',
};

/**
 * Errors the vocabulary has no word for (say, out of resources) keep the
 * failure's meaning for the caller: the server could not take the address, or
 * the client could not get a connection.
 */
const fallback: Record<Operation, TransportErrorCode> = {
  listen: 'EADDRINUSE',
  connect: 'ECONNREFUSED',
};

/** `ERROR_PIPE_BUSY (231)`, or `Win32 error 1450` for a number without a name here. */
export function win32ErrorName(winError: number): string {
  const name = names[winError];
  return name === undefined ? `Win32 error ${winError}` : `${name} (${winError})`;
}

/** The localwire code for a Win32 error met while doing `operation`. */
export function codeForWin32Error(winError: number, operation: Operation): TransportErrorCode {
  return byError[winError] ?? fallback[operation];
}

/** Turns a {@link Win32CallError} into a {@link TransportError} for `address`; passes anything else through. */
export function toTransportError(err: unknown, operation: Operation, address: string): unknown {
  return err instanceof Win32CallError
    ? win32Error(operation, err.syscall, err.winError, address)
    : err;
}

/**
 * Builds the {@link TransportError} for `syscall` failing with `winError` at
 * `address`. `code` overrides the mapping where the call site knows better
 * (e.g. `ERROR_ACCESS_DENIED` from the first instance means "in use").
 */
export function win32Error(
  operation: Operation,
  syscall: string,
  winError: number,
  address: string,
  code: TransportErrorCode = codeForWin32Error(winError, operation),
): TransportError {
  return new TransportError(
    code,
    `${describeError(code, address)} (${syscall}: ${win32ErrorName(winError)})`,
    { address, syscall, winError },
  );
}
