import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isTransportError } from '@localwire/transport';
import { contentLength } from '@localwire/transport/framing';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  connectRpc,
  createRpcServer,
  createSubscriptions,
  type RpcClient,
  type RpcClientState,
  type RpcServerOptions,
} from '../src/index.js';
import { tempAddress } from './helpers/address.js';
import { deferred, until } from './helpers/rpc.js';
import { transport } from './helpers/transport.js';

/**
 * Issue 17, in one process: servers that go away (`close()`) and come back
 * at the same address, refusals, the queue and its bounds. The SIGKILL test
 * is in reliability/reconnect.test.ts.
 */

const methods = { add: ([a, b]: [number, number]) => a + b, hang: () => new Promise(() => {}) };

/** Serves `methods` at `address` until the test ends (or `close()`). */
async function serve(address: string, options: RpcServerOptions = { methods }) {
  const server = createRpcServer(options);
  await server.listen(transport, address);
  onTestFinished(() => server.close({ timeout: 100 }).then(() => undefined));
  return server;
}

/** The states `client` goes through, as its statechange events say. */
function states(client: RpcClient): RpcClientState[] {
  const seen: RpcClientState[] = [];
  client.addEventListener('statechange', (event) => seen.push(event.state));
  return seen;
}

async function reconnecting(address: string, options: Parameters<typeof connectRpc>[2] = {}) {
  const client = await connectRpc(transport, address, {
    reconnect: { initialDelay: 5, maxDelay: 50 },
    ...options,
  });
  onTestFinished(() => client.close());
  return client;
}

describe('reconnect (issue 17)', () => {
  it('reconnects to a server that comes back, and calls made meanwhile wait for it', async () => {
    const address = tempAddress();
    const first = await serve(address);
    const client = await reconnecting(address);
    const seen = states(client);
    const reconnected = deferred<number>();
    client.addEventListener('reconnected', (event) => reconnected.resolve(event.attempts));
    expect(client.state).toBe('open');
    await first.close();
    await until(() => client.state === 'reconnecting', 'the client to see the server go');
    const waiting = client.request('add', [1, 2]);
    await serve(address);
    expect(await waiting).toBe(3);
    expect(await reconnected.promise).toBeGreaterThanOrEqual(1);
    expect(client.state).toBe('open');
    expect(client.signal.aborted).toBe(false);
    await client.close();
    expect(seen).toEqual(['reconnecting', 'open', 'closed']);
    expect(client.closeReason).toEqual({ kind: 'close', error: undefined });
    expect(client.signal.aborted).toBe(true);
  });

  it('rejects a call in flight at the drop with ECONNRESET, and sends an idempotent one again', async () => {
    const address = tempAddress();
    let calls = 0;
    const started = deferred();
    const first = await serve(address, {
      methods: {
        work: () => {
          calls++;
          started.resolve();
          return new Promise(() => {});
        },
      },
    });
    const client = await reconnecting(address);
    const plain = client.request('work').catch((error: unknown) => error);
    const idempotent = client.request('work', undefined, { idempotent: true });
    await started.promise;
    await until(() => calls === 2, 'both calls to run');
    first.close({ timeout: 0 });
    expect(await plain).toMatchObject({ code: 'ECONNRESET' });
    await serve(address, { methods: { work: () => 'done again' } });
    expect(await idempotent).toBe('done again');
  });

  it('with whileDisconnected: reject, a call made while reconnecting rejects at once', async () => {
    const address = tempAddress();
    const first = await serve(address);
    const client = await reconnecting(address, { whileDisconnected: 'reject' });
    await first.close();
    await until(() => client.state === 'reconnecting', 'the client to see the server go');
    await expect(client.request('add', [1, 2])).rejects.toMatchObject({
      code: 'ECONNRESET',
      message: expect.stringContaining("whileDisconnected: 'reject'"),
    });
    // A call may ask to wait anyway.
    const waiting = client.request('add', [2, 2], { whileDisconnected: 'queue' });
    await serve(address);
    expect(await waiting).toBe(4);
  });

  it('bounds the queue by maxQueued (ERR_REQUEST_QUEUE_FULL) and each call by its timeout and signal', async () => {
    const address = tempAddress();
    const first = await serve(address);
    const client = await reconnecting(address, { maxQueued: 2 });
    await first.close();
    await until(() => client.state === 'reconnecting', 'the client to see the server go');
    const abort = new AbortController();
    const aborted = client
      .request('add', [1, 1], { signal: abort.signal })
      .catch((e: unknown) => e);
    const timedOut = client.request('add', [1, 2], { timeout: 20 }).catch((e: unknown) => e);
    const full = await client.request('add', [1, 3]).catch((e: unknown) => e);
    expect(full).toMatchObject({
      name: 'RequestQueueFullError',
      code: 'ERR_REQUEST_QUEUE_FULL',
      limit: 2,
      address,
    });
    expect((full as Error).message).toContain(address);
    abort.abort();
    expect(await aborted).toMatchObject({ code: 'ABORT_ERR' });
    expect(await timedOut).toMatchObject({ code: 'ETIMEDOUT' });
    // Room again: queued, then answered.
    const queued = client.request('add', [2, 3]);
    await serve(address);
    expect(await queued).toBe(5);
  });

  it('close() while reconnecting stops it: queued calls reject, the state is closed', async () => {
    const address = tempAddress();
    const first = await serve(address);
    const client = await reconnecting(address);
    const seen = states(client);
    await first.close();
    await until(() => client.state === 'reconnecting', 'the client to see the server go');
    const queued = client.request('add', [1, 2]).catch((e: unknown) => e);
    await client.close();
    expect(await queued).toMatchObject({ code: 'ECONNRESET' });
    expect(seen).toEqual(['reconnecting', 'closed']);
    expect(client.closeReason).toEqual({ kind: 'close', error: undefined });
    // Nothing reconnects later: a server at the address sees no connection.
    const later = await serve(address);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(later.connections).toBe(0);
  });

  it('gives up after maxAttempts: closed, disconnected, with the last error', async () => {
    const address = tempAddress();
    const first = await serve(address);
    const client = await reconnecting(address, {
      reconnect: { initialDelay: 1, maxDelay: 1, maxAttempts: 3 },
    });
    await first.close();
    await until(() => client.state === 'closed', 'the client to give up');
    expect(client.closeReason?.kind).toBe('disconnected');
    expect(client.closeReason?.error).toMatchObject({
      code: 'ECONNRESET',
      message: expect.stringContaining('after 3 attempts'),
    });
    expect(client.signal.reason).toBe(client.closeReason?.error);
  });

  it('without reconnect, the first drop closes the client, and closeReason says so', async () => {
    const address = tempAddress();
    const first = await serve(address);
    const client = await connectRpc(transport, address);
    const seen = states(client);
    await first.close();
    await until(() => client.state === 'closed', 'the client to close');
    expect(seen).toEqual(['closed']);
    expect(client.closeReason).toMatchObject({
      kind: 'disconnected',
      error: { code: 'ECONNRESET' },
    });
  });

  it('a server that refuses the connection ends a reconnecting client at once: refused, EACCES', async () => {
    const address = tempAddress();
    let asked = 0;
    const first = await serve(address);
    const client = await reconnecting(address);
    await first.close();
    await until(() => client.state === 'reconnecting', 'the client to see the server go');
    await serve(address, {
      methods,
      authorize: () => {
        asked++;
        return false;
      },
    });
    await until(() => client.state === 'closed', 'the client to close');
    expect(client.closeReason?.kind).toBe('refused');
    expect(isTransportError(client.closeReason?.error, 'EACCES')).toBe(true);
    expect(asked).toBe(1);
  });

  it('a server speaking another codec ends the client: protocol', async () => {
    const address = tempAddress();
    await serve(address);
    const client = await reconnecting(address, { codec: contentLength });
    await client.request('add', [1, 2]).catch(() => {});
    await until(() => client.state === 'closed', 'the client to close');
    expect(client.closeReason).toMatchObject({ kind: 'protocol', error: { name: 'FramingError' } });
  });

  it('checks its options: RangeError ERR_OUT_OF_RANGE', async () => {
    const address = tempAddress();
    await serve(address);
    for (const reconnect of [{ initialDelay: -1 }, { factor: 0.5 }, { maxAttempts: 0 }]) {
      await expect(connectRpc(transport, address, { reconnect })).rejects.toMatchObject({
        name: 'RangeError',
        code: 'ERR_OUT_OF_RANGE',
      });
    }
    await expect(connectRpc(transport, address, { maxQueued: -1 })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
  });

  it('resubscribes after a reconnect: the iterator goes on, with a gap event', async () => {
    const address = tempAddress();
    const start = async () => {
      const ticks = createSubscriptions({ topics: ['ticks'] });
      const server = await serve(address, { methods: ticks.methods });
      return { server, ticks };
    };
    const first = await start();
    const client = await reconnecting(address);
    const subscription = await client.subscribe<number>('ticks');
    const gap = deferred<{ previousId: string; id: string }>();
    subscription.addEventListener('gap', (e) =>
      gap.resolve({ previousId: e.previousId, id: e.id }),
    );
    const iterator = subscription[Symbol.asyncIterator]();
    first.ticks.publish('ticks', 1);
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    const firstId = subscription.id;
    await first.server.close();
    const second = await start();
    const { previousId, id } = await gap.promise;
    expect(previousId).toBe(firstId);
    expect(subscription.id).toBe(id);
    expect(id).not.toBe(firstId);
    second.ticks.publish('ticks', 2);
    expect(await iterator.next()).toEqual({ done: false, value: 2 });
    expect(await subscription.unsubscribe()).toBe(true);
  });
});

describe('waitForServer (issue 17)', () => {
  it('waits for a server that starts 1 s after the client; the first call succeeds', async () => {
    const address = tempAddress();
    const timer = setTimeout(() => void serve(address), 1000);
    onTestFinished(() => clearTimeout(timer));
    const client = await connectRpc(transport, address, {
      waitForServer: true,
      connect: { timeout: 20_000 },
    });
    onTestFinished(() => client.close());
    expect(await client.request('add', [1, 2])).toBe(3);
    expect(client.state).toBe('open');
  });

  it('is bounded by connect.timeout: ETIMEDOUT naming the last error', async () => {
    const address = tempAddress();
    const error = await connectRpc(transport, address, {
      waitForServer: true,
      connect: { timeout: 100 },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', address });
    expect((error as Error).message).toContain('waitForServer');
  });

  it('is bounded by connect.signal: ABORT_ERR', async () => {
    const address = tempAddress();
    const abort = new AbortController();
    const waiting = connectRpc(transport, address, {
      waitForServer: true,
      connect: { signal: abort.signal },
    }).catch((e: unknown) => e);
    setTimeout(() => abort.abort(), 50);
    expect(await waiting).toMatchObject({ code: 'ABORT_ERR' });
  });
});

// A squatter: a plain node:net server run as nobody (unix-socket's owner-check fixture).
const SQUAT = fileURLToPath(new URL('../../unix-socket/test/fixtures/squat.mjs', import.meta.url));

/** Starts squat.mjs as nobody at `address`; its lines (one per connection, once closed). */
async function squat(
  address: string,
): Promise<{ child: ChildProcess; lines: AsyncIterator<string> }> {
  const child = spawn(process.execPath, [SQUAT, '', JSON.stringify(address)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: '/',
    env: { ...process.env, LOCALWIRE_FIXTURE_UID: '65534' },
  });
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  expect((await lines.next()).value).toBe('listening');
  return { child, lines };
}

// Root, to be another user; the Unix-socket transport, whose client checks the owner.
describe.runIf(
  process.platform === 'linux' && process.geteuid?.() === 0 && transport.name === 'unix-socket',
)('non-retryable errors (issue 17): a squatter refused by the owner check', () => {
  const abstract = () =>
    `\0localwire-reconnect-${process.pid}-${Math.random().toString(36).slice(2)}`;

  it('ends a reconnecting client at once with EACCES: one attempt, nothing sent', async () => {
    const address = abstract();
    const first = await serve(address);
    const client = await reconnecting(address);
    await first.close();
    await until(() => client.state === 'reconnecting', 'the client to see the server go');
    const squatter = await squat(address);
    await until(() => client.state === 'closed', 'the client to close');
    expect(client.closeReason?.kind).toBe('refused');
    expect(client.closeReason?.error).toMatchObject({
      code: 'EACCES',
      message: expect.stringContaining('uid 65534'),
    });
    // The one connection it saw: refused before a byte was sent.
    expect(JSON.parse((await squatter.lines.next()).value)).toEqual({ bytes: 0 });
    await expect(client.request('add', [1, 2])).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('fails waitForServer at once with EACCES', async () => {
    const address = abstract();
    const squatter = await squat(address);
    const error = await connectRpc(transport, address, { waitForServer: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'EACCES',
      message: expect.stringContaining('uid 65534'),
    });
    expect(JSON.parse((await squatter.lines.next()).value)).toEqual({ bytes: 0 });
  });
});
