import { lstat } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Connection, TransportError } from '@localwire/transport';
import { createDeadline, DirectReadSocket, describeError } from '@localwire/transport/author';
import { toConnection } from './connection.js';
import { checkConnectDirectory } from './directories.js';
import { connectError } from './errors.js';
import { type OwnerPolicy, ownerPolicy, type UnixSocketConnectOptions } from './options.js';
import { isAbstractSocketName, validateSocketPath } from './socket-path.js';

const FIRST_RETRY_MS = 2;
const MAX_RETRY_MS = 100;

/**
 * Connects to the Unix socket at `address`. A server whose backlog is full
 * (Linux answers `EAGAIN`) is retried with backoff until it takes the
 * connection or the deadline passes, as a blocking `connect(2)` would wait.
 * The connection is handed out only once the server's owner has passed the
 * check `verifyOwner`/`trustUids` ask for: until then nothing is written.
 */
export async function connectUnix(
  address: string,
  options: UnixSocketConnectOptions = {},
): Promise<Connection> {
  validateSocketPath(address);
  const policy = ownerPolicy(address, options);
  const deadline = createDeadline(address, options);
  try {
    deadline.throwIfExpired();
    const directoryChecked = checkConnectDirectory(address);
    if (directoryChecked !== undefined) await directoryChecked;
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      const socket = await attempt(address, deadline.signal);
      if (socket) return await trusted(toConnection(socket), address, policy);
      await sleep(delay, undefined, { signal: deadline.signal });
    }
  } catch (err) {
    if (deadline.signal?.aborted) throw deadline.error();
    throw connectError(err, address);
  } finally {
    deadline.dispose();
  }
}

/**
 * `connection` if its server runs as this user, root, or a trusted uid (or
 * `verifyOwner` is off); otherwise it is destroyed and this throws. Checked
 * at once where the OS told the server's credentials (Linux, macOS); only
 * the fallback, the socket file's owner, waits for a file system call.
 * @throws {TransportError} `EACCES`
 */
function trusted(
  connection: Connection,
  address: string,
  policy: OwnerPolicy,
): Connection | Promise<Connection> {
  if (!policy.verifyOwner) return connection;
  const uid = connection.peer?.uid;
  if (uid !== undefined || isAbstractSocketName(address)) {
    return checkOwner(connection, uid, address, policy);
  }
  // Nobody listens for 'error' on the connection until it is handed out.
  const ignoreError = () => {};
  connection.on('error', ignoreError);
  return lstat(address)
    .then(
      (stats) => checkOwner(connection, Number(stats.uid), address, policy),
      (err: unknown) => {
        connection.destroy();
        throw err;
      },
    )
    .finally(() => connection.off('error', ignoreError));
}

/**
 * `connection` if `owner` (the server's uid; `undefined`: unknown) is this
 * user, root or trusted; otherwise it is destroyed and this throws.
 * @throws {TransportError} `EACCES`
 */
function checkOwner(
  connection: Connection,
  owner: number | undefined,
  address: string,
  policy: OwnerPolicy,
): Connection {
  const me = process.geteuid?.() ?? 0;
  if (owner === me || owner === 0 || (owner !== undefined && policy.trustUids.includes(owner))) {
    return connection;
  }
  connection.destroy();
  throw new TransportError(
    'EACCES',
    describeError(
      'EACCES',
      address,
      owner === undefined
        ? `this OS does not tell who serves this abstract name, so the server cannot be checked to run as this user (uid ${me}); pass verifyOwner: false to connect anyway`
        : `it is served by uid ${owner}, not by this user (uid ${me}) or root: it may be another user's server squatting the address. To trust that user's server, pass trustUids: [${owner}]; to connect to whoever serves, verifyOwner: false`,
    ),
    { address },
  );
}

/** One connect; `undefined` if the server's backlog is full. */
function attempt(address: string, signal: AbortSignal | undefined): Promise<Socket | undefined> {
  return new Promise((resolve, reject) => {
    // Half-open, so that the server's end() leaves this side writable.
    const socket = new DirectReadSocket({ allowHalfOpen: true }).connect({ path: address });
    const settle = () => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onConnect = () => {
      settle();
      resolve(socket);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      settle();
      socket.destroy();
      if (err.code === 'EAGAIN') resolve(undefined);
      else reject(err);
    };
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(signal?.reason);
    };
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
