// localwire: @localwire/rpc-server's server and client over the
// @localwire/unix-socket transport (or another one: `localwireOver`, which
// the named-pipe RPC row uses), default codec (ndjson) and default
// limits — except for the large-message runs, which raise the message and
// buffer limits (the default maximum message is 16 MiB).
//
// To A/B a candidate change, point BENCH_RPC_SERVER at another build's entry
// point (e.g. a copy of packages/rpc-server/dist/index.js with the change);
// the run's JSON records which one was measured. BENCH_RPC_BASELINE, set the
// same way, adds that build as `localwire-baseline` where a scenario asks for
// it (rpc-tracing: the build before a change, measured in the same rounds).
import { tracingChannel } from 'node:diagnostics_channel';
import { pathToFileURL } from 'node:url';
import { unixSocketTransport } from '@localwire/unix-socket';
import { methods } from './types.mjs';

/** @typedef {typeof import('@localwire/rpc-server')} RpcServerModule */

/** @param {string | undefined} entry a build's entry point, or the installed package */
function load(entry) {
  return /** @type {Promise<RpcServerModule>} */ (
    import(entry ? pathToFileURL(entry).href : '@localwire/rpc-server')
  );
}

const rpc = await load(process.env.BENCH_RPC_SERVER);

/** Limits for messages up to 64 MiB (plus the JSON around them). */
export const LARGE_LIMITS = Object.freeze({
  maxMessageSize: 80 * 1024 * 1024,
  maxBufferedBytes: 256 * 1024 * 1024,
});

/**
 * The implementation on one build of @localwire/rpc-server.
 * @param {RpcServerModule} build
 * @param {string} label
 * @param {import('@localwire/transport').Transport} [transport] the Unix socket by default
 * @returns {import('./types.mjs').RpcImpl}
 */
function on({ connectRpc, createRpcServer }, label, transport = unixSocketTransport) {
  return {
    label,
    async serve(path, { large = false }) {
      const server = createRpcServer({ methods, limits: large ? LARGE_LIMITS : undefined });
      await server.listen(transport, path);
      return {
        close: async () => {
          await server.close({ timeout: 1000 });
        },
      };
    },
    async connect(path, { large = false }) {
      const client = await connectRpc(transport, path, {
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
}

export const localwire = on(rpc, 'localwire');

/**
 * localwire (the BENCH_RPC_SERVER build, like `localwire`) over `transport`:
 * `serve` and `connect` take that transport's addresses.
 * @param {import('@localwire/transport').Transport} transport
 * @param {string} label
 * @returns {import('./types.mjs').RpcImpl}
 */
export function localwireOver(transport, label) {
  return on(rpc, label, transport);
}

const ignore = () => {};
/** A subscriber that does nothing: what is measured is localwire's publishing. */
const noop = { start: ignore, end: ignore, asyncStart: ignore, asyncEnd: ignore, error: ignore };
let subscribed = false;

/** Subscribes `noop` to both tracing channels of this process, once. */
function subscribe() {
  if (subscribed) return;
  subscribed = true;
  tracingChannel(rpc.SERVER_TRACING_CHANNEL).subscribe(noop);
  tracingChannel(rpc.CLIENT_TRACING_CHANNEL).subscribe(noop);
}

/**
 * localwire as above, with a subscriber on its tracing channels in the
 * server's and the client's process: every request published on both sides.
 * @type {import('./types.mjs').RpcImpl}
 */
export const localwireTraced = {
  label: 'localwire, traced',
  serve(path, options) {
    subscribe();
    return localwire.serve(path, options);
  },
  connect(path, options) {
    subscribe();
    return localwire.connect(path, options);
  },
};

/** The BENCH_RPC_BASELINE build, if set (loaded only by the children that run it). */
const baselineEntry = process.env.BENCH_RPC_BASELINE;

/**
 * localwire on the BENCH_RPC_BASELINE build.
 * @type {import('./types.mjs').RpcImpl}
 */
export const localwireBaseline = {
  label: 'localwire, baseline build',
  async serve(path, options) {
    return on(await load(baselineEntry), 'localwire, baseline build').serve(path, options);
  },
  async connect(path, options) {
    return on(await load(baselineEntry), 'localwire, baseline build').connect(path, options);
  },
};
