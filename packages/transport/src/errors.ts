/**
 * The one error vocabulary every localwire transport speaks: Node's own system
 * error codes, so a caller handles the same `code`s on every OS.
 */

/** Codes a {@link TransportError} can carry. */
export type TransportErrorCode =
  | 'EADDRINUSE'
  | 'ENOENT'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EACCES'
  | 'ENAMETOOLONG'
  | 'EINVAL'
  | 'ABORT_ERR'
  | 'ERR_UNSUPPORTED_PLATFORM';

/** Everything a {@link TransportError} is built from. */
export interface TransportErrorOptions {
  /** The address (socket path or pipe name) the operation was about. */
  address?: string | undefined;
  /** The system call or Win32 function that failed, when one did. */
  syscall?: string | undefined;
  /** The OS error number: a negative errno as Node reports it on Unix. */
  errno?: number | undefined;
  /** The Win32 error number (`GetLastError()`), on Windows. */
  winError?: number | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Marks a {@link TransportError} from any copy of this package — the ESM and
 * the CommonJS build loaded side by side, or two installed versions — where
 * `instanceof` sees only its own copy's class. `Symbol.for` is the same
 * symbol in every copy.
 */
const transportErrorBrand = Symbol.for('localwire.TransportError');

/**
 * An error raised by a localwire transport. `code` is a Node-style system code
 * (`err.code === 'ENOENT'` works the same on Linux, macOS and Windows); the
 * message names the address and what to do about it. Test for it with
 * {@link isTransportError}, which also knows the errors of another copy of the
 * package; `instanceof` knows only its own.
 */
export class TransportError extends Error {
  static {
    Object.defineProperty(TransportError.prototype, transportErrorBrand, { value: true });
  }

  /** Always `'TransportError'`. */
  override name = 'TransportError';
  /** Node-style error code. */
  readonly code: TransportErrorCode;
  /** The address the failed operation was about. */
  readonly address: string | undefined;
  /** The failing system call or Win32 function. */
  readonly syscall: string | undefined;
  /** OS error number (negative errno on Unix, as Node reports it). */
  readonly errno: number | undefined;
  /** Win32 error number on Windows. */
  readonly winError: number | undefined;

  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.address = options.address;
    this.syscall = options.syscall;
    this.errno = options.errno;
    this.winError = options.winError;
  }
}

/**
 * True when `err` is a {@link TransportError}, optionally with the given code —
 * also one from another copy of this package (its ESM and CommonJS builds in
 * one program, the "dual package hazard"), which `instanceof` would miss.
 */
export function isTransportError(err: unknown, code?: TransportErrorCode): err is TransportError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { [transportErrorBrand]?: unknown })[transportErrorBrand] === true &&
    (code === undefined || (err as TransportError).code === code)
  );
}

const advice: Record<TransportErrorCode, (address: string) => string> = {
  EADDRINUSE: (a) =>
    `${a} is already in use by a running server; stop it or choose another address`,
  ENOENT: (a) => `nothing is listening at ${a}; start the server first or check the address`,
  ECONNREFUSED: (a) =>
    `the connection to ${a} was refused; the server is not running (a stale socket may be left behind) — start it or check the address`,
  ECONNRESET: (a) => `the connection to ${a} was reset by the peer`,
  ETIMEDOUT: (a) =>
    `timed out connecting to ${a}; the server is busy or not accepting — retry later or raise the timeout`,
  EACCES: (a) =>
    `permission denied for ${a}; it belongs to another user or its access does not include you`,
  ENAMETOOLONG: (a) => `the address ${a} is too long for this OS; use a shorter path`,
  EINVAL: (a) => `the address ${a} is not valid here`,
  ABORT_ERR: (a) => `the operation on ${a} was aborted`,
  ERR_UNSUPPORTED_PLATFORM: () => `this transport is not supported on ${process.platform}`,
};

/**
 * `address` as a person should read it in a message: a Linux abstract socket
 * name (leading NUL, which a terminal prints as nothing) is shown as `@name`,
 * the way `ss` and `/proc/net/unix` show it.
 */
export function displayAddress(address: string): string {
  return address.startsWith('\0') ? `@${address.slice(1)}` : address;
}

/** The standard message for `code` at `address`; `detail` replaces the generic explanation. */
export function describeError(code: TransportErrorCode, address: string, detail?: string): string {
  const shown = displayAddress(address);
  return detail === undefined ? advice[code](shown) : `${shown}: ${detail}`;
}

const mappedCodes = new Set<string>(Object.keys(advice));

/**
 * Turns an error from `node:net`/`node:fs` (an `ErrnoException`) into a
 * {@link TransportError} with the localwire message for its code. Codes outside
 * the vocabulary are returned as they are, since they are already Node-style.
 */
export function fromSystemError(err: unknown, address: string): Error {
  if (isTransportError(err)) return err;
  const sys = err as NodeJS.ErrnoException;
  if (typeof sys?.code === 'string' && mappedCodes.has(sys.code)) {
    const code = sys.code as TransportErrorCode;
    return new TransportError(code, describeError(code, address), {
      address,
      syscall: sys.syscall,
      errno: sys.errno,
      cause: err,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** The `ERR_UNSUPPORTED_PLATFORM` error for a transport used off its OS. */
export function unsupportedPlatform(transport: string, supported: string): TransportError {
  return new TransportError(
    'ERR_UNSUPPORTED_PLATFORM',
    `${transport} works only on ${supported}, not on ${process.platform}; use the transport for this platform instead`,
  );
}
