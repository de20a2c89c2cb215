import { parseArgs } from 'node:util';
import { isTransportError } from '@localwire/transport';
import {
  addressOption,
  codecOption,
  connectFlagOptions,
  DEFAULT_TIMEOUT_MS,
  helpOption,
  parseCodec,
  parseCommandLine,
  parseInteger,
} from '../args.js';
import { callFailed, connectClient } from '../client.js';
import { type Command, log, print } from '../command.js';
import { addressHelp, resolveEndpoint, tlsFlagOptions } from '../endpoint.js';
import { CliError, ExitCode, errorCode } from '../errors.js';
import { MAX_INTERVAL_MS } from '../methods.js';
import { defaultAppAddress } from '../platform.js';

const name = 'watch';

const options = {
  ...helpOption,
  ...addressOption,
  ...codecOption,
  ...connectFlagOptions,
  ...tlsFlagOptions,
  interval: { type: 'string', short: 'i', default: '1000' },
  count: { type: 'string', short: 'n' },
} as const;

/** Aborts on the first SIGINT or SIGTERM, until `dispose`. */
function stopOnSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/** The {@link CliError} (exit code 1) for a subscription whose iteration failed. */
function streamFailed(error: unknown): CliError {
  if (isTransportError(error, 'ECONNRESET')) {
    return new CliError('the server closed the connection', ExitCode.failed, 'ECONNRESET');
  }
  // Ticks that came faster than stdout took them (ERR_SUBSCRIPTION_OVERFLOW), say.
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(message, ExitCode.failed, errorCode(error));
}

/** `watch`: subscribes to ticks and prints each as it arrives. */
export const watch: Command = {
  name,
  summary: 'subscribe to ticks and print each as it arrives',
  usage: () => `Usage: localwire-example watch [options]

Subscribes to the server's "ticks" and prints "tick <n>" on stdout for each
one as it arrives, until --count ticks have come or Ctrl+C; then unsubscribes.

Options:
${addressHelp('connect', defaultAppAddress())}
  --codec <name>         message framing: ndjson (default) or content-length
  -i, --interval <ms>    milliseconds between ticks (default: 1000)
  -n, --count <n>        stop after this many ticks (default: until Ctrl+C)
  --wait                 wait for a server that is not running yet (up to
                         ${DEFAULT_TIMEOUT_MS / 1000} s), e.g. one that is starting
  --reconnect            when the server goes away, reconnect and subscribe
                         again, and go on printing (ticks sent while it was
                         away are lost; stderr says when it reconnected)
  -h, --help             show this help

Exit codes: 0 done; 1 the subscription failed or the server went away;
2 bad usage, or no server could be reached.`,

  async run(argv) {
    const { values } = parseCommandLine(() =>
      parseArgs({ args: argv, options, allowPositionals: false }),
    );
    if (values.help) {
      print(watch.usage());
      return ExitCode.ok;
    }
    const interval = parseInteger('--interval', values.interval, 1, MAX_INTERVAL_MS);
    const count =
      values.count === undefined
        ? Number.POSITIVE_INFINITY
        : parseInteger('--count', values.count, 1, 1_000_000_000);
    const codec = parseCodec(values.codec);
    const endpoint = resolveEndpoint(values.address ?? defaultAppAddress(), values, 'connect');

    const client = await connectClient(endpoint, codec, DEFAULT_TIMEOUT_MS, values);
    const stop = stopOnSignal();
    try {
      const ticks = await client.subscribe<number>('ticks', [interval]).catch((error: unknown) => {
        throw callFailed('subscribe', error);
      });
      // Ctrl+C unsubscribes, which ends the loop below; its answer is awaited after it.
      const unsubscribe = () => ticks.unsubscribe().catch(() => {});
      if (stop.signal.aborted) unsubscribe();
      else stop.signal.addEventListener('abort', unsubscribe, { once: true });
      log(`subscribed ${ticks.id} (a tick every ${interval} ms)`);
      ticks.addEventListener('gap', (event) =>
        log(`subscribed again as ${event.id}; ticks sent while disconnected are lost`),
      );
      let seen = 0;
      try {
        for await (const n of ticks) {
          print(`tick ${n}`);
          if (++seen >= count) break;
        }
      } catch (error) {
        throw streamFailed(error);
      }
      await ticks.unsubscribe().catch((error: unknown) => {
        throw callFailed('unsubscribe', error);
      });
      log('unsubscribed');
      return ExitCode.ok;
    } finally {
      stop.dispose();
      await client.close();
    }
  },
};
