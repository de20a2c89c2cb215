/** Exit codes of the CLI. */
export const ExitCode = {
  /** Done as asked. */
  ok: 0,
  /** The server answered with an error, no answer came, or the server failed. */
  failed: 1,
  /** A bad command line, or no server could be reached at the address. */
  usage: 2,
} as const;

/** A failure the CLI reports as one message on stderr, exiting with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  /** The process exit code this failure ends with. */
  readonly exitCode: number;

  constructor(message: string, exitCode: number = ExitCode.failed) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A bad command line: the CLI adds a pointer to the command's `--help` and exits 2. */
export class UsageError extends CliError {
  override name = 'UsageError';

  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}
