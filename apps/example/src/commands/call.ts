import { parseArgs } from 'node:util';
import type { RpcParams } from '@localwire/rpc-server';
import {
  addressOption,
  codecOption,
  connectFlagOptions,
  DEFAULT_TIMEOUT_MS,
  helpOption,
  parseCodec,
  parseCommandLine,
  parseInteger,
  parseParams,
} from '../args.js';
import { callFailed, connectClient } from '../client.js';
import { type Command, print } from '../command.js';
import { addressHelp, resolveEndpoint, tlsFlagOptions } from '../endpoint.js';
import { ExitCode, UsageError } from '../errors.js';
import { defaultAppAddress } from '../platform.js';

const name = 'call';

const options = {
  ...helpOption,
  ...addressOption,
  ...codecOption,
  ...connectFlagOptions,
  ...tlsFlagOptions,
  idempotent: { type: 'boolean', default: false },
  timeout: { type: 'string', short: 't' },
} as const;

/** `call`: one request; the result as JSON on stdout. */
export const call: Command = {
  name,
  summary: 'call one method and print its result as JSON',
  usage: () => `Usage: localwire-example call <method> [params] [options]

Calls <method> on the server and prints its result as JSON on stdout.
[params] is JSON: an array (by position) or an object (by name); any other
JSON value is sent as the one positional param. Quote it for your shell, and
put a param that starts with "-" after "--".

  localwire-example call echo '"hello"'
  localwire-example call add '[1, 2]'
  localwire-example call add '{"a": 1, "b": 2}'
  localwire-example call whoami
  localwire-example call echo -- -5
  localwire-example call add '[1, 2]' --address tcp://127.0.0.1:7000
  localwire-example call whoami --address tls://127.0.0.1:7443 \\
    --ca ca.pem --cert client.pem --key client-key.pem

Options:
${addressHelp('connect', defaultAppAddress())}
  --codec <name>         message framing: ndjson (default) or content-length
  -t, --timeout <ms>     how long to wait to connect, and then for the answer
                         (default: ${DEFAULT_TIMEOUT_MS})
  --wait                 wait for a server that is not running yet (up to
                         --timeout), e.g. one that is starting
  --reconnect            if the server goes away, reconnect (within --timeout):
                         a call not yet sent waits for the new connection; one
                         already sent fails (ECONNRESET) unless --idempotent
  --idempotent           with --reconnect: the call may safely run twice, so
                         send it again after reconnecting
  -h, --help             show this help

Exit codes: 0 the result is on stdout; 1 the server answered with an error (on
stderr) or no answer came in time; 2 bad usage, or no server could be reached.`,

  async run(argv) {
    const { values, positionals } = parseCommandLine(() =>
      parseArgs({ args: argv, options, allowPositionals: true }),
    );
    if (values.help) {
      print(call.usage());
      return ExitCode.ok;
    }
    const [method, paramsText, ...extra] = positionals;
    if (method === undefined) throw new UsageError('which method? e.g. call echo \'"hi"\'');
    if (extra.length > 0) {
      throw new UsageError(
        `unexpected ${JSON.stringify(extra[0])}: give the params as one JSON argument, e.g. '[1, 2]'`,
      );
    }
    const params: RpcParams | undefined =
      paramsText === undefined ? undefined : parseParams(paramsText);
    const timeout =
      values.timeout === undefined
        ? DEFAULT_TIMEOUT_MS
        : parseInteger('--timeout', values.timeout, 1, 2_147_483_647);
    const codec = parseCodec(values.codec);
    const endpoint = resolveEndpoint(values.address ?? defaultAppAddress(), values, 'connect');

    const client = await connectClient(endpoint, codec, timeout, values);
    try {
      const result = await client.request(method, params, {
        timeout,
        idempotent: values.idempotent,
      });
      print(JSON.stringify(result, null, 2));
      return ExitCode.ok;
    } catch (error) {
      throw callFailed(method, error);
    } finally {
      await client.close();
    }
  },
};
