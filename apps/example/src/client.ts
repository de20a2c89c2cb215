/** Connecting to the example server, and saying what went wrong when a call fails. */
import { connectRpc, type RpcClient, RpcError } from '@localwire/rpc-server';
import { isTransportError } from '@localwire/transport';
import type { Codec } from '@localwire/transport/framing';
import { CliError, ExitCode, errorCode } from './errors.js';
import { transport } from './platform.js';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Connects to the server at `address`.
 * @throws {CliError} exit code 2, one line naming the address and the likely
 * cause (nothing listening, permission denied, timed out, …).
 */
export async function connectClient(
  address: string,
  codec: Codec,
  timeoutMs: number,
): Promise<RpcClient> {
  try {
    return await connectRpc(transport, address, { codec, connect: { timeout: timeoutMs } });
  } catch (error) {
    const message = messageOf(error);
    // The transports' messages name the address; make sure, whatever failed.
    const where = message.includes(address) ? '' : ` (${address})`;
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
