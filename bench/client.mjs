// A benchmark client child, started by run.mjs. Over IPC it is told which
// scenario and implementation to load (`setup`), then runs that scenario's
// client-side steps (`step`), each measured here, next to the work.
import { announceReady, answerRequests } from './lib/ipc.mjs';

/**
 * @typedef {object} ScenarioClient
 * @property {(args: { impl: string, path: string, params: any }) => Promise<any>} setup
 * @property {(state: any) => Promise<void>} [teardown]
 */

/** @type {Record<string, any> | undefined} */
let steps;
/** @type {any} */
let state;

answerRequests(
  {
    async setup({ scenario, impl, path, params }) {
      const module = await import(`./scenarios/${scenario}.mjs`);
      steps = module.client;
      state = await steps?.setup({ impl, path, params });
      return null;
    },
    step({ fn, params }) {
      const step = steps?.[fn];
      if (typeof step !== 'function') throw new Error(`no client step ${fn}`);
      return step(state, params);
    },
  },
  async () => {
    await steps?.teardown?.(state);
  },
);
announceReady();
