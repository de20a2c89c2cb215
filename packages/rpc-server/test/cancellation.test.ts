import { contentLength } from '@localwire/transport/framing';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  CancellationTokenSource,
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { connectRpc, createRpcServer, type RpcContext, RpcErrorCode } from '../src/index.js';
import { tempAddress } from './helpers/address.js';
import { deferred, startServer, until } from './helpers/rpc.js';
import { connectRaw, transport } from './helpers/transport.js';

/** A handler that runs until its signal aborts, then gives up with the signal's reason. */
function untilAborted(seen: (context: RpcContext) => void) {
  return (_params: unknown, context: RpcContext) =>
    new Promise((_resolve, reject) => {
      context.signal.addEventListener('abort', () => reject(context.signal.reason));
      seen(context);
    });
}

describe('cancellation ($/cancelRequest, -32800)', () => {
  it('a vscode-jsonrpc client’s CancellationTokenSource aborts the handler’s ctx.signal and gets -32800', async () => {
    const running = deferred<RpcContext>();
    const { address } = await startServer({
      codec: contentLength,
      methods: { slow: untilAborted(running.resolve) },
    });
    const socket = connectRaw(address);
    await new Promise((resolve) => socket.once('connect', resolve));
    const connection = createMessageConnection(
      new StreamMessageReader(socket),
      new StreamMessageWriter(socket),
    );
    onTestFinished(() => {
      connection.dispose();
      socket.destroy();
    });
    connection.listen();
    const source = new CancellationTokenSource();
    const answer = connection.sendRequest('slow', {}, source.token).catch((e: unknown) => e);
    const context = await running.promise;
    expect(context.id).toBe(0);
    expect(context.signal.aborted).toBe(false);
    source.cancel();
    expect(await answer).toMatchObject({ code: -32800, message: 'Request cancelled' });
    expect(context.signal.aborted).toBe(true);
    expect(context.signal.reason).toMatchObject({ code: RpcErrorCode.RequestCancelled });
  });

  it('a localwire client’s abort fires a vscode-jsonrpc server’s cancellation token', async () => {
    const address = tempAddress();
    const listener = await transport.listen(address);
    onTestFinished(() => listener.close());
    const started = deferred();
    const cancelled = deferred<number>();
    listener.on('connection', (socket) => {
      const connection = createMessageConnection(
        new StreamMessageReader(socket),
        new StreamMessageWriter(socket),
      );
      connection.onRequest('slow', (params: { n: number }, token) => {
        started.resolve();
        return new Promise((resolve) => {
          token.onCancellationRequested(() => {
            cancelled.resolve(params.n);
            resolve('given up');
          });
        });
      });
      connection.listen();
      socket.once('close', () => connection.dispose());
    });
    const client = await connectRpc(transport, address, { codec: contentLength });
    onTestFinished(() => client.close());
    const abort = new AbortController();
    const answer = client.request('slow', { n: 7 }, { signal: abort.signal });
    // Running, not queued: vscode-jsonrpc cancels a queued request's token before its handler runs.
    await started.promise;
    abort.abort();
    await expect(answer).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(await cancelled.promise).toBe(7);
  });

  it('localwire on both ends: an abort and a timeout each cancel the handler; the client rejects at once', async () => {
    const seen: RpcContext[] = [];
    const { address } = await startServer({
      methods: { slow: untilAborted((context) => seen.push(context)) },
    });
    const client = await connectRpc(transport, address);
    const abort = new AbortController();
    const aborted = client.request('slow', [], { signal: abort.signal });
    await until(() => seen.length === 1, 'the first call to start');
    abort.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await until(() => seen[0]!.signal.aborted, 'the first call’s signal to abort');

    const timedOut = client.request('slow', [], { timeout: 1 });
    await expect(timedOut).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await until(() => seen[1]?.signal.aborted === true, 'the timed-out call’s signal to abort');
    expect(seen.map((c) => c.id)).toEqual([1, 2]);
    expect(seen[1]!.signal.reason).toMatchObject({ code: RpcErrorCode.RequestCancelled });
  });

  it('cancels each unanswered request of an aborted batch, and the server’s own calls to a client', async () => {
    const seen: RpcContext[] = [];
    const clientSeen = deferred<RpcContext>();
    const { address } = await startServer({
      methods: {
        slow: untilAborted((context) => seen.push(context)),
        quick: () => 'quick',
        askClient: async (_params: unknown, context: RpcContext) =>
          context
            .request('confirm', [], { timeout: 1 })
            .catch((error: { code: string }) => error.code),
      },
    });
    const client = await connectRpc(transport, address);
    const abort = new AbortController();
    const batch = client.batch([{ method: 'quick' }, { method: 'slow' }, { method: 'slow' }], {
      signal: abort.signal,
    });
    await until(() => seen.length === 2, 'both slow calls of the batch to start');
    abort.abort();
    await expect(batch).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await until(() => seen.every((c) => c.signal.aborted), 'both slow calls to be cancelled');

    // The other way: the server's request to the client times out; the client's handler is cancelled.
    client.on('confirm', untilAborted(clientSeen.resolve));
    expect(await client.request('askClient')).toBe('ETIMEDOUT');
    const context = await clientSeen.promise;
    await until(() => context.signal.aborted, 'the client handler’s signal to abort');
    expect(context.signal.reason).toMatchObject({ code: RpcErrorCode.RequestCancelled });
  });

  it('with cancelMethod false the client sends no cancel and the server takes none', async () => {
    const received: string[] = [];
    const running = deferred<RpcContext>();
    const { address } = await startServer({
      cancelMethod: false,
      methods: {
        // With cancels off, the name is an ordinary method: it shows what arrives.
        '$/cancelRequest': () => {
          received.push('cancel');
        },
        slow: untilAborted(running.resolve),
        ping: () => {
          received.push('ping');
          return 'pong';
        },
      },
    });
    const quiet = await connectRpc(transport, address, { cancelMethod: false });
    const abort = new AbortController();
    const answer = quiet.request('slow', [], { signal: abort.signal });
    await running.promise;
    abort.abort();
    await expect(answer).rejects.toMatchObject({ code: 'ABORT_ERR' });
    // Messages on one connection arrive in order: a cancel would come before the ping.
    expect(await quiet.request('ping')).toBe('pong');
    expect(received).toEqual(['ping']);

    // A client that does send one: the server, with cancels off, serves it as a method.
    const loud = await connectRpc(transport, address);
    received.length = 0;
    loud.notify('$/cancelRequest', { id: 1 });
    expect(await loud.request('ping')).toBe('pong');
    expect(received).toEqual(['cancel', 'ping']);
    expect((await running.promise).signal.aborted).toBe(false);
  });

  it('close() with 1,000 calls in flight, half cancelled, finishes once the other half are answered', async () => {
    const address = tempAddress();
    const gate = deferred();
    let started = 0;
    let gaveUp = 0;
    const events: string[] = [];
    const server = createRpcServer({
      methods: {
        work: (params: [number], context: RpcContext) => {
          started++;
          return new Promise((resolve, reject) => {
            context.signal.addEventListener('abort', () => {
              gaveUp++;
              reject(context.signal.reason);
            });
            gate.promise.then(() => resolve(params[0]));
          });
        },
      },
    });
    await server.listen(transport, address);
    const client = await connectRpc(transport, address);
    onTestFinished(() => client.close());
    const controllers = Array.from({ length: 1000 }, () => new AbortController());
    const calls = controllers.map((controller, i) =>
      client.request<number>('work', [i], { signal: controller.signal }).then(
        (result) => {
          events.push('answered');
          return result;
        },
        (error: unknown) => error,
      ),
    );
    await until(() => started === 1000, 'all 1,000 handlers to start');
    // The even ones are cancelled; at maxInFlight (1,000) the server reads
    // their cancels only once closing, which still takes them.
    for (let i = 0; i < 1000; i += 2) controllers[i]!.abort();
    let closed = false;
    const closing = server.close().then((result) => {
      closed = true;
      events.push('closed');
      return result;
    });
    await until(() => gaveUp === 500, 'the 500 cancelled handlers to give up');
    expect(closed).toBe(false);
    gate.resolve();
    expect(await closing).toEqual({ destroyed: 0 });
    const results = await Promise.all(calls);
    for (let i = 0; i < 1000; i++) {
      if (i % 2 === 0) expect(results[i]).toMatchObject({ code: 'ABORT_ERR' });
      else expect(results[i]).toBe(i);
    }
    // Every uncancelled call was answered before close() resolved.
    expect(events).toEqual([...Array.from({ length: 500 }, () => 'answered'), 'closed']);
    expect(gaveUp).toBe(500);
  });

  it('close({ timeout }) aborts the calls still running when it expires', async () => {
    const running = deferred<RpcContext>();
    const server = createRpcServer({ methods: { slow: untilAborted(running.resolve) } });
    const address = tempAddress();
    await server.listen(transport, address);
    const client = await connectRpc(transport, address);
    const answer = client.request('slow').catch((error: unknown) => error);
    const context = await running.promise;
    expect(await server.close({ timeout: 10 })).toEqual({ destroyed: 1 });
    expect(context.signal.reason).toMatchObject({ code: 'ETIMEDOUT' });
    expect(await answer).toMatchObject({ code: 'ECONNRESET' });
  });
});
