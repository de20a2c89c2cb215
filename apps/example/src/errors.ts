/** Exit codes of the CLI. */
export const ExitCode = {
  /** Done as asked. */
  ok: 0,
  /** The server answered with an error, no answer came, or the server failed. */
  failed: 1,
  /** A bad command line, or no server could be reached at the address. */
  usage: 2,
} as const;

/**
 * A failure the CLI reports as one line on stderr, exiting with `exitCode`:
 * `localwire-example <command>: <code>: <message>` when it has a `code` (the
 * transport's `EADDRINUSE`, `ENOENT`, `EACCES`, …), for scripts and searches.
 */
export class CliError extends Error {
  override name = 'CliError';
  /** The process exit code this failure ends with. */
  readonly exitCode: number;
  /** The error code the line leads with, if the failure has one. */
  readonly code: string | undefined;

  constructor(message: string, exitCode: number = ExitCode.failed, code?: string) {
    super(message);
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** The Node-style `code` of an error (a transport's `ENOENT`, Node's `ERR_…`), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A bad command line: the CLI adds a pointer to the command's `--help` and
 * exits 2. A `code` (e.g. `EINVAL`) leads the line, as for other failures.
 */
export class UsageError extends CliError {
  override name = 'UsageError';

  constructor(message: string, code?: string) {
    super(message, ExitCode.usage, code);
  }
}
