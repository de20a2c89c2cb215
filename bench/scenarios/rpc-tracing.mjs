// What the tracing channels cost: localwire's pipelined tiny calls with no
// subscriber (what every unobserved server and client runs), and with a
// do-nothing subscriber on both channels in the server's and the client's
// process (every request published on both sides). With BENCH_RPC_BASELINE
// set to another build's entry point (the build before tracing, say), that
// build runs in the same rounds too, so "no subscriber" can be compared with
// code that has no tracing at all. The client steps are rpc.mjs's.
import { compare, joinComparisons } from '../lib/rows.mjs';
import { measurePipelined } from './rpc.mjs';

const IMPLS = [
  'localwire',
  'localwire-traced',
  ...(process.env.BENCH_RPC_BASELINE ? ['localwire-baseline'] : []),
];

/**
 * @param {import('../lib/pairs.mjs').Context} ctx
 * @param {{ count: number, window: number, generations: number, rounds: number, warmups: number }} config
 */
export async function run(ctx, config) {
  const { figures, values } = await measurePipelined(ctx, 'rpc-tracing', IMPLS, config);
  return {
    figures: { ...figures, window: config.window, callsPerRound: config.count },
    rows: [
      {
        section: 'tracing',
        metric: `pipelined tiny calls, ${config.window} in flight (median)`,
        unit: 'calls/s',
        values,
        ...joinComparisons([
          compare(values.localwire, values['localwire-traced'], 'subscribed'),
          ...(values['localwire-baseline'] === undefined
            ? []
            : [compare(values.localwire, values['localwire-baseline'], 'baseline')]),
        ]),
      },
    ],
  };
}
