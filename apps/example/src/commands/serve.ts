import { parseArgs } from 'node:util';
import {
  addressOption,
  codecOption,
  helpOption,
  parseAccess,
  parseCodec,
  parseCommandLine,
} from '../args.js';
import { type Command, log, print } from '../command.js';
import {
  addressHelp,
  describeAccess,
  listenAccess,
  resolveEndpoint,
  tlsFlagOptions,
} from '../endpoint.js';
import { CliError, ExitCode, errorCode } from '../errors.js';
import { defaultAppAddress, transportDescription } from '../platform.js';
import { type RunningServer, startServer } from '../server.js';

const name = 'serve';

const options = {
  ...helpOption,
  ...addressOption,
  ...codecOption,
  ...tlsFlagOptions,
  access: { type: 'string' },
} as const;

/** Resolves with the first of SIGINT and SIGTERM; a second one exits at once. */
function shutdownRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      for (const s of signals) {
        process.once(s, () => {
          log(`${s} again: exiting without waiting for calls in flight`);
          process.exit(ExitCode.failed);
        });
      }
      resolve(signal);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}

/** `serve`: serves the example methods until SIGINT/SIGTERM, then shuts down gracefully. */
export const serve: Command = {
  name,
  summary: 'serve the example methods until Ctrl+C (SIGINT) or SIGTERM',
  usage: () => `Usage: localwire-example serve [options]

Serves JSON-RPC 2.0 on ${transportDescription},
or over TCP or TLS on a loopback address (--address tcp://… or tls://…).
When ready it prints one line to stdout, "listening <address>"; logs go to stderr.
On SIGINT or SIGTERM it stops accepting, answers the calls in flight, frees the
address and exits 0 (a second signal exits at once, with 1).

Methods:
  echo(value)                     → value
  add(a, b)                       → a + b   (params [a, b] or {"a": …, "b": …})
  sleep(ms)                       → ms, ms milliseconds later
  subscribe("ticks", intervalMs)  → a subscription id; then notifications
                                    "subscription" {subscription, result: 1, 2, 3…}
  unsubscribe(id)                 → true (false for an id that is not this connection's)
  whoami()                        → the caller's credentials (pid, uid/gid or sid;
                                    over TCP/TLS its address and certificate)

  localwire-example serve --address tcp://127.0.0.1:7000
  localwire-example serve --address tls://127.0.0.1:7443 \\
    --cert server.pem --key server-key.pem --ca ca.pem

Options:
${addressHelp('listen', defaultAppAddress())}
  --codec <name>         message framing: ndjson (default) or content-length
  --access <who>         who may connect: user (default) or everyone; over
                         tcp:// and tls:// only everyone (any local user can
                         reach a loopback port; tls:// checks certificates)
  -h, --help             show this help

Exit codes: 0 shut down cleanly; 1 cannot listen (e.g. the address is in use); 2 bad usage.`,

  async run(argv) {
    const { values } = parseCommandLine(() =>
      parseArgs({ args: argv, options, allowPositionals: false }),
    );
    if (values.help) {
      print(serve.usage());
      return ExitCode.ok;
    }
    const codec = parseCodec(values.codec);
    const endpoint = resolveEndpoint(values.address ?? defaultAppAddress(), values, 'listen');
    const access = listenAccess(
      endpoint,
      values.access === undefined ? undefined : parseAccess(values.access),
    );
    let server: RunningServer;
    try {
      const { transport, address } = endpoint;
      server = await startServer({ transport, address, codec, access, log });
    } catch (error) {
      throw new CliError(
        `cannot listen: ${error instanceof Error ? error.message : String(error)}`,
        ExitCode.failed,
        errorCode(error),
      );
    }
    const stopping = shutdownRequested();
    print(`listening ${endpoint.show(server.address)}`);
    log(
      `serving ${server.methods.join(', ')} on ${endpoint.description} (codec ${codec.name}, access ${describeAccess(endpoint, access)}); Ctrl+C to stop`,
    );
    const signal = await stopping;
    log(`${signal}: shutting down; answering the calls in flight`);
    await server.close();
    log('stopped');
    return ExitCode.ok;
  },
};
