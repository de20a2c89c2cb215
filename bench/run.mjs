// `npm run bench`: localwire measured side by side with what a user would use
// instead, in the same run, on the same machine, with ratios.
//
//   node bench/run.mjs [--quick] [--only NAME[,NAME…]] [--profile] [--verbose] [--list]
//
// Servers and clients run in child processes (one pair per implementation);
// see bench/README.md for what is measured and how to read it.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine, machineLine } from './lib/machine.mjs';
import { cpuPlan, fdLimits } from './lib/procs.mjs';
import { formatProfile } from './lib/profile.mjs';
import { markdownTables, textTables } from './lib/table.mjs';
import { TRANSPORTS } from './lib/transports.mjs';
import * as echo from './scenarios/echo.mjs';
import * as namedPipe from './scenarios/named-pipe.mjs';
import * as rpc from './scenarios/rpc.mjs';
import * as concurrent from './scenarios/rpc-concurrent.mjs';
import * as tracing from './scenarios/rpc-tracing.mjs';
import * as throughput from './scenarios/throughput.mjs';

const MiB = 1024 * 1024;
const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH, '..');
const RESULTS = join(BENCH, 'results');

/**
 * Unmeasured rounds before the measured ones of the pipelined rows. The
 * floor is as fast as it gets after one, localwire only after about ten: one
 * gave it 1.23–1.27× the floor's calls/s, ten 1.70–1.78× and thirty 1.74×
 * (runs of `--only rpc-pipelined`, 2026-12-04), its code being more for V8 to
 * tier up and its young generation still growing. The rows are meant to say
 * what a process that keeps its connection sees; the first round of each
 * generation is still reported, as its own row (`rpc-pipelined`).
 */
const PIPELINED_WARMUPS = 10;

/**
 * Counts for a full run (about 10 minutes on 2 cores, 3 of them the TCP and
 * TLS byte rows) and for `--quick`.
 */
const CONFIG = {
  full: {
    echo: { count: 10_000, size: 64, generations: 2, rounds: 5, warmups: 1 },
    throughput: {
      bytes: 512 * MiB,
      warmupBytes: 64 * MiB,
      chunk: 64 * 1024,
      generations: 4,
      rounds: 10,
      warmups: 1,
    },
    'tcp-echo': { count: 10_000, size: 64, generations: 2, rounds: 5, warmups: 1 },
    'tcp-throughput': {
      bytes: 512 * MiB,
      warmupBytes: 64 * MiB,
      chunk: 64 * 1024,
      generations: 4,
      rounds: 10,
      warmups: 1,
    },
    'tls-echo': { count: 10_000, size: 64, generations: 2, rounds: 5, warmups: 1 },
    'tls-throughput': {
      bytes: 512 * MiB,
      warmupBytes: 64 * MiB,
      chunk: 64 * 1024,
      generations: 4,
      rounds: 10,
      warmups: 1,
    },
    'rpc-sequential': { count: 2000, generations: 3, rounds: 8, warmups: 1 },
    'rpc-pipelined': {
      count: 30_000,
      window: 256,
      generations: 3,
      rounds: 3,
      warmups: PIPELINED_WARMUPS,
    },
    'rpc-tracing': {
      count: 30_000,
      window: 256,
      generations: 3,
      rounds: 3,
      warmups: PIPELINED_WARMUPS,
    },
    'rpc-batch': { count: 300, size: 100, generations: 3, rounds: 3, warmups: 1 },
    'rpc-large': {
      sizesMiB: [1, 4, 16, 64],
      generations: 2,
      rounds: { 1: 5, 4: 3, 16: 3, 64: 3 },
      warmups: 1,
    },
    'rpc-connect': { count: 600, generations: 3, rounds: 2, warmups: 1 },
    'rpc-concurrent': { connections: 5000, calls: 10, concurrency: 64, warmupConnections: 500 },
    'named-pipe': {
      bytes: 512 * MiB,
      warmupBytes: 64 * MiB,
      chunk: 64 * 1024,
      generations: 2,
      rounds: 3,
    },
    'named-pipe-rpc': {
      count: 40_000,
      window: 256,
      generations: 3,
      rounds: 3,
      warmups: PIPELINED_WARMUPS,
    },
  },
  quick: {
    echo: { count: 2000, size: 64, generations: 1, rounds: 2, warmups: 1 },
    throughput: {
      bytes: 64 * MiB,
      warmupBytes: 16 * MiB,
      chunk: 64 * 1024,
      generations: 2,
      rounds: 1,
      warmups: 1,
    },
    'tcp-echo': { count: 2000, size: 64, generations: 1, rounds: 2, warmups: 1 },
    'tcp-throughput': {
      bytes: 64 * MiB,
      warmupBytes: 16 * MiB,
      chunk: 64 * 1024,
      generations: 2,
      rounds: 1,
      warmups: 1,
    },
    'tls-echo': { count: 2000, size: 64, generations: 1, rounds: 2, warmups: 1 },
    'tls-throughput': {
      bytes: 64 * MiB,
      warmupBytes: 16 * MiB,
      chunk: 64 * 1024,
      generations: 2,
      rounds: 1,
      warmups: 1,
    },
    'rpc-sequential': { count: 1000, generations: 1, rounds: 2, warmups: 1 },
    'rpc-pipelined': { count: 10_000, window: 256, generations: 1, rounds: 2, warmups: 1 },
    'rpc-tracing': { count: 10_000, window: 256, generations: 1, rounds: 2, warmups: 1 },
    'rpc-batch': { count: 50, size: 100, generations: 1, rounds: 2, warmups: 1 },
    'rpc-large': { sizesMiB: [1, 4], generations: 1, rounds: { 1: 2, 4: 2 }, warmups: 1 },
    'rpc-connect': { count: 100, generations: 1, rounds: 2, warmups: 1 },
    'rpc-concurrent': { connections: 500, calls: 3, concurrency: 64, warmupConnections: 50 },
    'named-pipe': {
      bytes: 32 * MiB,
      warmupBytes: 8 * MiB,
      chunk: 64 * 1024,
      generations: 1,
      rounds: 1,
    },
    'named-pipe-rpc': { count: 5000, window: 256, generations: 1, rounds: 2, warmups: 1 },
  },
};

/**
 * @typedef {import('./lib/pairs.mjs').Context & { root: string, notes: string[] }} RunContext
 * @typedef {{ figures: any, rows: import('./lib/rows.mjs').Row[] } | { skipped: string }} Outcome
 */

/** @type {Record<string, { about: string, run: (ctx: RunContext, config: any) => Promise<Outcome> }>} */
const SCENARIOS = {
  echo: {
    about: 'bytes: echo round-trip latency over a Unix socket, raw net vs transport',
    run: echo.run,
  },
  throughput: {
    about: 'bytes: bulk one-way throughput over a Unix socket, raw net vs transport',
    run: throughput.run,
  },
  'tcp-echo': {
    about: 'bytes: echo round-trip latency over TCP 127.0.0.1, raw net vs tcpTransport',
    run: (ctx, config) => echo.run(ctx, config, TRANSPORTS.tcp),
  },
  'tcp-throughput': {
    about: 'bytes: bulk one-way throughput over TCP 127.0.0.1, raw net vs tcpTransport',
    run: (ctx, config) => throughput.run(ctx, config, TRANSPORTS.tcp),
  },
  'tls-echo': {
    about: 'bytes: echo round-trip latency over mutual TLS 1.3, raw tls vs tlsTransport',
    run: (ctx, config) => echo.run(ctx, config, TRANSPORTS.tls),
  },
  'tls-throughput': {
    about: 'bytes: bulk one-way throughput over mutual TLS 1.3, raw tls vs tlsTransport',
    run: (ctx, config) => throughput.run(ctx, config, TRANSPORTS.tls),
  },
  'rpc-sequential': { about: 'RPC: sequential tiny calls, p50/p99', run: rpc.runSequential },
  'rpc-pipelined': { about: 'RPC: pipelined tiny calls, 256 in flight', run: rpc.runPipelined },
  'rpc-tracing': {
    about: 'RPC: pipelined calls, tracing channels unobserved vs subscribed',
    run: tracing.run,
  },
  'rpc-batch': { about: 'RPC: batches of 100 calls', run: rpc.runBatch },
  'rpc-large': { about: 'RPC: 1–64 MiB params round trips', run: rpc.runLarge },
  'rpc-connect': { about: 'RPC: connect + one call + close per second', run: rpc.runConnect },
  'rpc-concurrent': {
    about: 'RPC: 5,000 concurrent connections, server RSS per connection',
    run: runConcurrent,
  },
  'named-pipe': {
    about: 'named pipe under Wine: bulk throughput vs node:net pipe',
    run: namedPipe.run,
  },
  'named-pipe-rpc': {
    about: 'named pipe under Wine: pipelined RPC calls vs the floor on a node:net pipe',
    run: namedPipe.runRpc,
  },
};

/**
 * The concurrent-connections scenario, within the open-file limit.
 * @param {RunContext} ctx
 * @param {{ connections: number, calls: number, concurrency: number, warmupConnections: number }} config
 */
async function runConcurrent(ctx, config) {
  const { soft, hard } = fdLimits();
  const needed = config.connections + 1024;
  let connections = config.connections;
  if (needed > hard) {
    connections = Math.max(100, hard - 1024);
    ctx.notes.push(
      `rpc-concurrent: the open-file hard limit is ${hard}; ran ${connections} connections instead of ${config.connections} (raise it with \`ulimit -Hn\` as root)`,
    );
  } else if (needed > soft) {
    ctx.notes.push(
      `rpc-concurrent: the open-file soft limit is ${soft}; its children ran with \`ulimit -n ${needed}\``,
    );
  }
  return concurrent.run(ctx, { ...config, connections });
}

const USAGE = `usage: node bench/run.mjs [options]
  --quick          small counts: a smoke run in about a minute
  --only NAMES     run only these scenarios (comma-separated; repeatable)
  --profile        write CPU profiles of every child to bench/results/profiles/
                   and print the hottest functions of the localwire ones
  --verbose        show the children's output
  --no-pin         let the scheduler place the children (default: clients on
                   CPU 0, servers on CPU 1, with taskset)
  --list           list the scenarios
  --help`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    profile: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (values.list) {
  for (const [name, { about }] of Object.entries(SCENARIOS))
    console.log(`${name.padEnd(16)} ${about}`);
  process.exit(0);
}

const only = values.only
  ?.flatMap((v) => v.split(','))
  .map((v) => v.trim())
  .filter(Boolean);
for (const name of only ?? []) {
  if (!(name in SCENARIOS)) {
    console.error(`no scenario ${JSON.stringify(name)}; --list shows them`);
    process.exit(2);
  }
}
const selected = Object.keys(SCENARIOS).filter((name) => !only || only.includes(name));
const mode = values.quick ? 'quick' : 'full';
const partial = values.quick || only !== undefined;
const outName = values.quick ? 'quick' : only ? 'partial' : 'latest';

const profileDir = values.profile ? join(RESULTS, 'profiles') : undefined;
if (profileDir) {
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
}

const machine = describeMachine();
const date = new Date().toISOString();
console.log(`localwire bench (${mode}${only ? `, only ${only.join(', ')}` : ''})`);
console.log(machineLine(machine, date));
if (process.env.BENCH_RPC_SERVER) {
  console.log(`localwire RPC from BENCH_RPC_SERVER=${process.env.BENCH_RPC_SERVER}`);
}
const load = machine.loadAverage[0];
if (load > machine.cores / 2) {
  console.log(
    `note: the load average is ${load} on ${machine.cores} cores: other work is running and the figures will be noisier`,
  );
}
const cpus = values['no-pin'] ? undefined : cpuPlan();
console.log(
  cpus
    ? `children pinned: clients on CPU ${cpus.client}, servers on CPU ${cpus.server}`
    : 'children not pinned',
);
console.log('');
const dir = mkdtempSync(join(os.tmpdir(), 'localwire-bench-'));
/** @type {RunContext} */
const ctx = {
  dir,
  root: ROOT,
  quick: values.quick ?? false,
  verbose: values.verbose ?? false,
  profileDir,
  cpus,
  notes: [],
  log: (message) => console.log(message),
};

/** @type {import('./lib/rows.mjs').Row[]} */
const rows = [];
/** @type {Record<string, any>} */
const scenarios = {};
/** @type {Record<string, string>} */
const skipped = {};
/** @type {Record<string, string>} */
const failed = {};
const started = performance.now();
try {
  for (const name of selected) {
    const config = CONFIG[mode][/** @type {keyof typeof CONFIG.full} */ (name)];
    const t0 = performance.now();
    console.log(`▶ ${name}: ${SCENARIOS[name].about}`);
    try {
      const outcome = await SCENARIOS[name].run(ctx, config);
      const seconds = (performance.now() - t0) / 1000;
      if ('skipped' in outcome) {
        skipped[name] = outcome.skipped;
        console.log(`  skipped: ${outcome.skipped}`);
      } else {
        rows.push(...outcome.rows);
        scenarios[name] = { config, seconds, ...outcome.figures };
        console.log(`  done in ${seconds.toFixed(1)} s`);
      }
    } catch (error) {
      failed[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.log(`  FAILED: ${failed[name]}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const totalSeconds = (performance.now() - started) / 1000;
const loadAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);
const caption = machineLine(machine, date);
console.log('');
console.log(textTables(rows));
for (const [name, reason] of Object.entries(skipped)) console.log(`skipped ${name}: ${reason}`);
for (const name of Object.keys(failed)) console.log(`FAILED ${name} (see above)`);
for (const note of ctx.notes) console.log(`note: ${note}`);
const judged = rows.filter((r) => r.pass !== null && r.pass !== undefined);
const misses = judged.filter((r) => r.pass === false);
console.log(
  `${judged.length - misses.length}/${judged.length} targets met · ${caption} · load ${machine.loadAverage[0]} → ${loadAfter[0]} · ${totalSeconds.toFixed(0)} s`,
);

const targets = judged.map((r) => ({
  section: r.section,
  metric: r.metric,
  ratio: r.ratio,
  ratios: r.ratios,
  values: r.values,
  target: r.target,
  pass: r.pass,
}));
const result = {
  date,
  mode,
  only: only ?? null,
  machine: { ...machine, loadAverageAfter: loadAfter },
  rpcServerBuild: process.env.BENCH_RPC_SERVER ?? '@localwire/rpc-server',
  pinned: cpus ?? null,
  seconds: Math.round(totalSeconds),
  targets,
  rows,
  scenarios,
  skipped,
  failed,
  notes: ctx.notes,
};
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, `${outName}.json`), `${JSON.stringify(result, null, 2)}\n`);
const markdown = [
  `Measured with \`npm run bench\`${partial ? ` (${mode}${only ? `, only ${only.join(', ')}` : ''})` : ''} on ${caption}.`,
  'Ratios are localwire ÷ the baseline named; for times lower is better, for rates higher is better.',
  '',
  markdownTables(rows),
  ...Object.entries(skipped).map(([name, reason]) => `Skipped ${name}: ${reason}.`),
  ...ctx.notes.map((note) => `Note: ${note}.`),
  '',
].join('\n');
writeFileSync(join(RESULTS, `${outName}.md`), markdown.replace(/\n{3,}/g, '\n\n'));
console.log(`wrote bench/results/${outName}.json and bench/results/${outName}.md`);

if (profileDir) {
  console.log('');
  for (const file of readdirSync(profileDir)
    .filter((f) => f.includes('-localwire-'))
    .sort()) {
    console.log(formatProfile(join(profileDir, file), 12));
    console.log('');
  }
}
process.exit(Object.keys(failed).length > 0 ? 1 : 0);
