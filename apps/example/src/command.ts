/** One subcommand of the CLI. */
export interface Command {
  /** What the user types, e.g. `serve`. */
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The full `--help` text. */
  usage(): string;
  /**
   * Runs the command with the arguments after its name; resolves with the
   * exit code. Throws a `CliError` for failures it reports in one message.
   */
  run(argv: string[]): Promise<number>;
}

/** Writes `text` to stdout (help, results: what a script reads). */
export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Writes a log or progress line to stderr. */
export function log(text: string): void {
  process.stderr.write(`${text}\n`);
}
