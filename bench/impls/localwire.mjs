// localwire: @localwire/rpc-server's server and client over the
// @localwire/unix-socket transport, default codec (ndjson) and default
// limits — except for the large-message runs, which raise the message and
// buffer limits (the default maximum message is 16 MiB).
//
// To A/B a candidate change, point BENCH_RPC_SERVER at another build's entry
// point (e.g. a copy of packages/rpc-server/dist/index.js with the change);
// the run's JSON records which one was measured.
import { pathToFileURL } from 'node:url';
import { unixSocketTransport } from '@localwire/unix-socket';
import { methods } from './types.mjs';

const candidate = process.env.BENCH_RPC_SERVER;
/** @type {typeof import('@localwire/rpc-server')} */
const { connectRpc, createRpcServer } = await import(
  candidate ? pathToFileURL(candidate).href : '@localwire/rpc-server'
);

/** Limits for messages up to 64 MiB (plus the JSON around them). */
export const LARGE_LIMITS = Object.freeze({
  maxMessageSize: 80 * 1024 * 1024,
  maxBufferedBytes: 256 * 1024 * 1024,
});

/** @type {import('./types.mjs').RpcImpl} */
export const localwire = {
  label: 'localwire',
  async serve(path, { large = false }) {
    const server = createRpcServer({ methods, limits: large ? LARGE_LIMITS : undefined });
    await server.listen(unixSocketTransport, path);
    return {
      close: async () => {
        await server.close({ timeout: 1000 });
      },
    };
  },
  async connect(path, { large = false }) {
    const client = await connectRpc(unixSocketTransport, path, {
      limits: large ? LARGE_LIMITS : undefined,
    });
    return {
      call: (method, params) => client.request(method, params),
      async batch(calls) {
        const results = await client.batch(calls);
        return results.map((r) => {
          if (!r?.ok) throw r?.error ?? new Error('no answer');
          return r.result;
        });
      },
      close: () => client.close(),
    };
  },
};
