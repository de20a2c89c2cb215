#!/usr/bin/env node
/**
 * localwire-example: serves and calls JSON-RPC 2.0 over this OS's local
 * transport. `localwire-example --help` lists the commands.
 */

import { type Command, log, print } from './command.js';
import { call } from './commands/call.js';
import { demo } from './commands/demo.js';
import { serve } from './commands/serve.js';
import { watch } from './commands/watch.js';
import { CliError, ExitCode, UsageError } from './errors.js';
import { transportDescription } from './platform.js';

const commands: readonly Command[] = [serve, call, watch, demo];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join('\n');
  return `Usage: localwire-example <command> [options]

Serves and calls JSON-RPC 2.0 over ${transportDescription},
or over TCP and TLS (--address tcp://host:port, tls://host:port).

Commands:
${list}

Run "localwire-example <command> --help" for a command's options.
Start with: localwire-example demo`;
}

/** Runs the command line `argv` (without node and the script); resolves with the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  const helpWanted = first === '--help' || first === '-h' || first === 'help';
  const name = helpWanted ? rest[0] : first;
  const command = commands.find((c) => c.name === name);
  try {
    if (helpWanted && name === undefined) {
      print(usage());
      return ExitCode.ok;
    }
    if (name === undefined) throw new UsageError('which command?');
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    if (helpWanted) {
      print(command.usage());
      return ExitCode.ok;
    }
    return await command.run(rest);
  } catch (error) {
    if (!(error instanceof CliError)) {
      log(
        `localwire-example: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return ExitCode.failed;
    }
    const code = error.code === undefined ? '' : `${error.code}: `;
    log(`localwire-example${command ? ` ${command.name}` : ''}: ${code}${error.message}`);
    if (error instanceof UsageError) {
      log(
        command ? `Run "localwire-example ${command.name} --help" for its usage.` : `\n${usage()}`,
      );
    }
    return error.exitCode;
  }
}

process.exitCode = await main(process.argv.slice(2));
