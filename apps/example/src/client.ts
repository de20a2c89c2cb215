/** Connecting to the example server, and saying what went wrong when a call fails. */
import { connectRpc, type RpcClient, RpcError } from '@localwire/rpc-server';
import { isTransportError } from '@localwire/transport';
import type { Codec } from '@localwire/transport/framing';
import { log } from './command.js';
import type { Endpoint } from './endpoint.js';
import { CliError, ExitCode, errorCode } from './errors.js';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How a command connects: `--reconnect` and `--wait`. */
export interface ConnectFlags {
  /** Reconnect (with the default backoff) when the server goes away. */
  reconnect?: boolean | undefined;
  /** Wait for a server that is not there yet, up to the connect timeout. */
  wait?: boolean | undefined;
}

/**
 * Connects to the server at `endpoint` (a socket path or pipe name, TCP or
 * TLS). With `reconnect`, the client's state changes are told on stderr.
 * @throws {CliError} exit code 2, one line naming the address and the likely
 * cause (nothing listening, permission denied, a TLS certificate refused,
 * timed out, …).
 */
export async function connectClient(
  endpoint: Endpoint,
  codec: Codec,
  timeoutMs: number,
  flags: ConnectFlags = {},
): Promise<RpcClient> {
  const { transport, address } = endpoint;
  const shown = endpoint.show(address);
  try {
    const client = await connectRpc(transport, address, {
      codec,
      connect: { timeout: timeoutMs },
      reconnect: flags.reconnect ?? false,
      waitForServer: flags.wait ?? false,
    });
    if (flags.reconnect) {
      client.addEventListener('statechange', (event) => {
        if (event.state === 'reconnecting') log(`the server went away; reconnecting to ${shown}`);
      });
      client.addEventListener('reconnected', (event) =>
        log(`reconnected after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'}`),
      );
    }
    return client;
  } catch (error) {
    const message = messageOf(error);
    // The transports' messages name the address; make sure, whatever failed.
    const where = message.includes(address) ? '' : ` (${shown})`;
    throw new CliError(`cannot connect: ${message}${where}`, ExitCode.usage, errorCode(error));
  }
}

/**
 * The {@link CliError} (exit code 1) for a call of `method` that failed: an
 * error answer (with its code and any data), no answer in time, or a lost
 * connection.
 */
export function callFailed(method: string, error: unknown): CliError {
  if (error instanceof RpcError) {
    const data = error.data === undefined ? '' : ` (data: ${JSON.stringify(error.data)})`;
    return new CliError(`${method} failed: error ${error.code}: ${error.message}${data}`);
  }
  // A server on another codec never sees a whole request, so it never answers.
  const hint = isTransportError(error, 'ETIMEDOUT')
    ? '; is the server busy, or does it use another --codec?'
    : '';
  return new CliError(
    `${method} failed: ${messageOf(error)}${hint}`,
    ExitCode.failed,
    errorCode(error),
  );
}
