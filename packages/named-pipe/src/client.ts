/**
 * Connecting: open the client end with `CreateFileW`, wait out busy servers,
 * check who owns the pipe, and hand the handle to libuv.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Connection, type PeerInfo, TransportError } from '@localwire/transport';
import { createDeadline, type Deadline } from '@localwire/transport/author';
import { type Handle, INVALID_HANDLE_VALUE, win32 } from './bindings.js';
import { serverPeer, toConnection } from './connection.js';
import { validatePipeName } from './pipe-name.js';
import { CLIENT_ACCESS, currentUserSid, pipeOwnerSid } from './security.js';
import { ERROR_PIPE_BUSY, toTransportError, Win32CallError, win32Error } from './win32-errors.js';

const OPEN_EXISTING = 3;
const FILE_FLAG_OVERLAPPED = 0x40000000;
// Let the server identify us but never act as us (a rogue server cannot impersonate).
const SECURITY_SQOS_PRESENT = 0x00100000;
const SECURITY_IDENTIFICATION = 0x00010000;
/** Longest pause between two tries while every instance is busy. */
const MAX_BUSY_BACKOFF_MS = 50;
/**
 * With neither `timeout` nor `signal`, how long a connect keeps trying a pipe
 * whose every instance stays busy (libuv gives up after 30 s, go-winio 2 s).
 * A name can stay busy for good: connections a closed listener accepted keep
 * it alive, and no instance will ever listen there again.
 */
const UNBOUNDED_BUSY_LIMIT_MS = 5000;

/** What {@link connectPipe} needs, validated by the transport. */
export interface PipeConnectConfig {
  timeout: number | undefined;
  signal: AbortSignal | undefined;
  verifyOwner: boolean;
}

/**
 * Connects to the pipe server at `address`.
 * @throws {TransportError} `EINVAL` (bad name or timeout), `ENOENT` (no such
 * pipe), `ETIMEDOUT`/`ABORT_ERR` (still busy when the deadline passed),
 * `ECONNREFUSED` (busy for 5 s with no timeout or signal given), `EACCES`
 * (denied, or owned by another user while `verifyOwner` is on).
 */
export async function connectPipe(address: string, config: PipeConnectConfig): Promise<Connection> {
  validatePipeName(address);
  const deadline = createDeadline(address, { timeout: config.timeout, signal: config.signal });
  try {
    const busyLimit =
      config.timeout === undefined && config.signal === undefined
        ? UNBOUNDED_BUSY_LIMIT_MS
        : Number.POSITIVE_INFINITY;
    const handle = await openWhenFree(address, deadline, busyLimit);
    let peer: PeerInfo;
    try {
      peer = serverPeer(handle, checkOwner(handle, address, config.verifyOwner));
    } catch (err) {
      win32().CloseHandle(handle);
      throw err;
    }
    // toConnection closes the handle itself if it fails.
    return toConnection(handle, peer);
  } catch (err) {
    throw toTransportError(err, 'connect', address);
  } finally {
    deadline.dispose();
  }
}

/**
 * Owners a client trusts besides its own user: accounts that could act as
 * any user anyway, so trusting them widens nothing — SYSTEM (`S-1-5-18`) and
 * BUILTIN\Administrators (`S-1-5-32-544`), the owner every pipe created
 * without an explicit owner gets when its server runs as a service or
 * elevated. No squatter can be either without already being an administrator.
 */
const TRUSTED_OWNERS: ReadonlySet<string> = new Set(['S-1-5-18', 'S-1-5-32-544']);

/**
 * Reads the pipe's owner SID and, when `verify` is on, refuses a pipe owned
 * by neither the current user nor a {@link TRUSTED_OWNERS} account (as .NET's
 * `PipeOptions.CurrentUserOnly` does). With `verify` off, an owner Windows
 * will not tell is simply unknown.
 * @throws {TransportError} `EACCES`
 */
function checkOwner(handle: Handle, address: string, verify: boolean): string | undefined {
  let owner: string | undefined;
  try {
    owner = pipeOwnerSid(handle);
  } catch (err) {
    if (!verify) return undefined;
    if (!(err instanceof Win32CallError)) throw err;
    throw win32Error('connect', err.syscall, err.winError, address, 'EACCES');
  }
  if (!verify) return owner;
  const me = currentUserSid();
  if (owner === me || (owner !== undefined && TRUSTED_OWNERS.has(owner))) return owner;
  throw new TransportError(
    'EACCES',
    `${address} is ${owner === undefined ? 'owned by nobody' : `owned by ${owner}`}, not by the current user ${me}, SYSTEM or Administrators: it may be another user's server squatting the name. Pass verifyOwner: false to connect to a server run by another account on purpose`,
    { address },
  );
}

/** Opens the client end, retrying while every server instance is busy. */
async function openWhenFree(
  address: string,
  deadline: Deadline,
  busyLimitMs: number,
): Promise<Handle> {
  const w = win32();
  const start = performance.now();
  for (let backoff = 1; ; backoff = Math.min(backoff * 2, MAX_BUSY_BACKOFF_MS)) {
    deadline.throwIfExpired();
    const handle = w.CreateFileW(
      address,
      CLIENT_ACCESS,
      0,
      null,
      OPEN_EXISTING,
      FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
      0,
    );
    if (handle !== INVALID_HANDLE_VALUE) return handle;
    const winError = w.GetLastError();
    if (winError !== ERROR_PIPE_BUSY) throw win32Error('connect', 'CreateFileW', winError, address);
    if (performance.now() - start > busyLimitMs) {
      throw new TransportError(
        'ECONNREFUSED',
        `${address}: every instance of the pipe stayed busy for ${busyLimitMs / 1000} s, so its server is not accepting connections (a listener that closed while connections it accepted are still open leaves its name so); pass a timeout or signal to wait longer`,
        { address, syscall: 'CreateFileW', winError },
      );
    }
    // Every instance is taken: try again after a pause on a JS timer. Not
    // WaitNamedPipeW: blocking in it stalls the JS thread (even 1 ms costs
    // 1.6 ms under Wine, and a hundred waiting clients starved the accept
    // loop), and its .async form holds a libuv thread-pool thread per waiter.
    // The jitter keeps waiting clients from retrying in lockstep.
    try {
      await sleep(backoff * (0.5 + Math.random() / 2), undefined, { signal: deadline.signal });
    } catch {
      throw deadline.error();
    }
  }
}
