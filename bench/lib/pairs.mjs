// One server child and one client child per implementation, so that no two
// implementations share a process (nor its JIT state or heap), and the
// rounds of a scenario interleaved across them so that drift in the machine
// (other work, thermal, frequency) lands on all of them alike.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesImpls } from '../impls/bytes.mjs';
import { startChild } from './procs.mjs';

const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));
const CLIENT = fileURLToPath(new URL('../client.mjs', import.meta.url));

/**
 * @typedef {object} Context
 * @property {string} dir a private temporary directory for sockets
 * @property {boolean} quick
 * @property {boolean} verbose
 * @property {string | undefined} profileDir write CPU profiles of the children there
 * @property {{ client: number, server: number } | undefined} cpus pin children to these CPUs
 * @property {(message: string) => void} log
 * @property {string} [certificates] the TLS certificates' directory, once made (lib/transports.mjs)
 */

/**
 * @typedef {object} PairsOptions
 * @property {string} scenario the scenario's name (for socket, child and profile names)
 * @property {string} [module] the module in scenarios/ whose `client` steps the clients run (default: `scenario`)
 * @property {string[]} impls
 * @property {'echo' | 'bulk' | 'rpc'} mode what the servers serve
 * @property {boolean} [large] raise message limits (localwire)
 * @property {number} [fds] open files each child needs
 * @property {any} [params] passed to the client's `setup`
 * @property {boolean} [profile] write CPU profiles when the run asks for them (default true)
 */

/**
 * @typedef {object} Plan
 * @property {string} fn the client step to run
 * @property {number} rounds measured rounds (per generation, for {@link interleaveFresh})
 * @property {number} [warmups] unmeasured rounds first (default 1)
 * @property {any} [params] the step's params
 * @property {any} [warmupParams] the warm-up rounds' params (default: `params`)
 * @property {string[]} [only] a subset of the implementations
 * @property {number} [offset] which implementation starts the first round
 * @property {Map<string, any[]>} [first] where each implementation's first
 *   warm-up round goes, when it is wanted too: what a fresh pair of
 *   processes does before V8 has warmed up to the code
 */

/**
 * @param {Context} ctx
 * @param {string} file
 * @param {boolean} [wanted]
 * @returns {string[]}
 */
function profileArgs(ctx, file, wanted = true) {
  return ctx.profileDir && wanted
    ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`, `--cpu-prof-name=${file}.cpuprofile`]
    : [];
}

/**
 * Starts a server child for one implementation (or, for the byte modes,
 * several side by side), listening at `path` (one per implementation: a
 * socket path, or a loopback address with port 0). Its `info.addresses` say
 * where each listens.
 * @param {Context} ctx
 * @param {{ scenario: string, impl: string | string[], mode: 'echo' | 'bulk' | 'rpc', path: string | string[], large?: boolean, fds?: number, profile?: boolean, certificates?: string }} options
 */
export function startServer(
  ctx,
  { scenario, impl, mode, path, large = false, fds, profile, certificates },
) {
  const impls = [impl].flat();
  const paths = [path].flat();
  const label = impls.join('+');
  return startChild(
    SERVER,
    [
      '--mode',
      mode,
      ...impls.flatMap((name, i) => ['--impl', name, '--path', paths[i]]),
      ...(large ? ['--large'] : []),
      ...(certificates ? ['--certificates', certificates] : []),
    ],
    {
      name: `${scenario}/${label} server`,
      nodeArgs: ['--expose-gc', ...profileArgs(ctx, `${scenario}-${label}-server`, profile)],
      fds,
      verbose: ctx.verbose,
      cpu: ctx.cpus?.server,
    },
  );
}

/**
 * Starts a client child, to be set up with a scenario module's client steps.
 * @param {Context} ctx
 * @param {{ scenario: string, label: string, fds?: number, profile?: boolean }} options
 */
export function startClient(ctx, { scenario, label, fds, profile }) {
  return startChild(CLIENT, [], {
    name: `${scenario}/${label} client`,
    nodeArgs: ['--expose-gc', ...profileArgs(ctx, `${scenario}-${label}-client`, profile)],
    fds,
    verbose: ctx.verbose,
    cpu: ctx.cpus?.client,
  });
}

/**
 * Starts a server and a client child for each implementation and sets the
 * clients up (connected, for scenarios that keep one connection).
 * @param {Context} ctx
 * @param {PairsOptions} options
 */
export async function startPairs(ctx, options) {
  const {
    scenario,
    module = scenario,
    impls,
    mode,
    large = false,
    fds,
    params = {},
    profile = true,
  } = options;
  /** @type {Map<string, { server: import('./procs.mjs').Child, client: import('./procs.mjs').Child }>} */
  const pairs = new Map();
  const stop = async () => {
    for (const { server, client } of pairs.values()) {
      await client.stop();
      await server.stop();
    }
  };
  try {
    for (const impl of impls) {
      const path = join(ctx.dir, `${scenario}-${impl}.sock`);
      const server = await startServer(ctx, { scenario, impl, mode, path, large, fds, profile });
      const client = await startClient(ctx, { scenario, label: impl, fds, profile }).catch(
        async (error) => {
          await server.stop();
          throw error;
        },
      );
      pairs.set(impl, { server, client });
      await client.request('setup', {
        scenario: module,
        impl,
        path,
        params: { ...params, large },
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }

  /**
   * @param {string} impl
   * @returns {{ server: import('./procs.mjs').Child, client: import('./procs.mjs').Child }}
   */
  const pair = (impl) => {
    const found = pairs.get(impl);
    if (!found) throw new Error(`no ${impl} in ${scenario}`);
    return found;
  };

  return {
    /**
     * Runs a client step of one implementation and resolves with what it measured.
     * @param {string} impl
     * @param {string} fn
     * @param {any} [stepParams]
     * @returns {Promise<any>}
     */
    step: (impl, fn, stepParams = {}) =>
      pair(impl).client.request('step', { fn, params: stepParams }),

    /**
     * The server child's memory (after a full GC).
     * @param {string} impl
     * @returns {Promise<{ rss: number, heapUsed: number, external: number, arrayBuffers: number }>}
     */
    serverMemory: (impl) => pair(impl).server.request('rss'),

    /**
     * A full GC in the server child.
     * @param {string} impl
     * @returns {Promise<void>}
     */
    serverGc: (impl) => pair(impl).server.request('gc'),

    /**
     * Runs `warmups` unmeasured rounds, then `rounds` measured rounds of
     * client step `fn`, interleaved: each round runs every implementation
     * once, starting from a different one each time.
     * @param {Plan} plan
     * @returns {Promise<Map<string, any[]>>}
     */
    async interleave(plan) {
      const { fn, rounds, warmups = 1, params: roundParams = {}, only = impls, offset = 0 } = plan;
      const warmupParams = plan.warmupParams ?? roundParams;
      /** @type {Map<string, any[]>} */
      const results = new Map(only.map((impl) => [impl, []]));
      for (let w = 0; w < warmups; w++) {
        for (const impl of only) {
          const result = await this.step(impl, fn, warmupParams);
          if (w === 0) plan.first?.get(impl)?.push(result);
        }
      }
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < only.length; k++) {
          const impl = only[(offset + r + k) % only.length];
          results.get(impl)?.push(await this.step(impl, fn, roundParams));
        }
      }
      return results;
    },

    stop,
  };
}

/**
 * {@link startPairs} then `interleave(plan)`, `generations` times over, each
 * time with fresh processes, and the rounds of all generations together.
 * Two runs of the same program can differ by tens of percent for as long as
 * they live (seen here: one pair moving bytes at 1.2 GB/s, the next at
 * 2 GB/s, round after round), so each implementation is measured in several
 * process generations, not just one.
 * @param {Context} ctx
 * @param {PairsOptions} options
 * @param {Plan & { generations?: number }} plan
 * @returns {Promise<Map<string, any[]>>}
 */
export async function interleaveFresh(ctx, options, plan) {
  const { generations = 1, ...rest } = plan;
  /** @type {Map<string, any[]>} */
  const merged = new Map(options.impls.map((impl) => [impl, []]));
  for (let g = 0; g < generations; g++) {
    // Profile the first generation only: the profile name is per implementation.
    const pairs = await startPairs(ctx, { ...options, profile: g === 0 });
    try {
      const results = await pairs.interleave({ ...rest, offset: g });
      for (const [impl, list] of results) merged.get(impl)?.push(...list);
    } finally {
      await pairs.stop();
    }
  }
  return merged;
}

/**
 * For implementations whose data path is the same code (raw net and the
 * localwire transport both hand out a `net.Socket`, raw tls and the
 * localwire TLS transport a `tls.TLSSocket`): per generation, ONE server
 * child serving all of them side by side and ONE client child connected to
 * all, whose step measures each in turn and answers `{ [impl]: result }`.
 * Sharing the processes takes the differences between processes out of the
 * comparison, leaving only the code paths. Each implementation listens where
 * its `where` says (a socket in `ctx.dir`, or a loopback port the OS
 * chooses); the client is told the addresses the server reported.
 * @param {Context} ctx
 * @param {{ scenario: string, module?: string, impls: string[], mode: 'echo' | 'bulk', generations: number, rounds: number, warmups: number, params: any, warmupParams?: any, certificates?: string }} plan
 *   `module`: the module in scenarios/ whose `client` steps the client runs
 *   (default: `scenario`); `certificates`: the TLS certificates' directory
 * @returns {Promise<Record<string, any[]>>}
 */
export async function sharedGenerations(ctx, plan) {
  const { scenario, module = scenario, impls, mode, params, certificates } = plan;
  const warmupParams = plan.warmupParams ?? params;
  /** @type {Record<string, any[]>} */
  const results = Object.fromEntries(impls.map((impl) => [impl, []]));
  for (let g = 0; g < plan.generations; g++) {
    const profile = g === 0;
    const where = impls.map((impl) => bytesImpls[impl].where(ctx.dir, `${scenario}-${g}-${impl}`));
    /** @type {import('./procs.mjs').Child[]} */
    const children = [];
    try {
      const server = await startServer(ctx, {
        scenario,
        impl: impls,
        mode,
        path: where,
        profile,
        certificates,
      });
      children.push(server);
      /** @type {string[]} */
      const addresses = server.info.addresses;
      /** @type {Record<string, string>} */
      const paths = Object.fromEntries(impls.map((impl, i) => [impl, addresses[i]]));
      const client = await startClient(ctx, { scenario, label: 'shared', profile });
      children.unshift(client);
      await client.request('setup', {
        scenario: module,
        impl: 'shared',
        path: '',
        params: { paths, certificates },
      });
      for (let w = 0; w < plan.warmups; w++) {
        await client.request('step', { fn: 'round', params: { ...warmupParams, first: w } });
      }
      for (let r = 0; r < plan.rounds; r++) {
        const first = g + r;
        const result = await client.request('step', { fn: 'round', params: { ...params, first } });
        for (const impl of impls) results[impl].push(result[impl]);
      }
    } finally {
      for (const child of children) await child.stop();
    }
  }
  return results;
}
