#!/usr/bin/env node
// Runs what the READMEs show, as written, in a clone that has run the root
// README's set-up (`npm ci && npm start`, or `npm ci` and `npm run build`):
//
//   ```sh     every line is a command (bash, `set -e`; a trailing `# …` is a comment)
//   ```text   a transcript: each `$ command` line runs; `$ echo $?` followed by
//             a number says what exit status the command before it has (else 0)
//   ```ts     a program: transpiled (TypeScript's transpileModule) and run with node,
//   ```js     it must exit 0
//
// Commands run from the repository root (a README says so where it shows
// them), with a fresh private XDG_RUNTIME_DIR and TMPDIR, so default
// addresses are this run's own. An HTML comment on the line before a block
// changes what happens to it:
//
//   <!-- readme-check: skip: <why> -->      not run; the reason is printed
//   <!-- readme-check: setup -->            the set-up command this check runs after
//   <!-- readme-check: background until "<text>" -->
//                                           started and left running once its
//                                           output shows <text>; it must exit 0 on
//                                           SIGINT, sent before a block marked
//                                           `after background` or at the README's end
//   <!-- readme-check: after background --> runs once the background commands stopped
//
// Every block is accounted for: run, or skipped with its reason. Exits
// non-zero if any block fails.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The READMEs whose blocks are checked. */
const readmes = [
  'README.md',
  'docs/CONTRIBUTING.md',
  'apps/example/README.md',
  'bench/README.md',
  'packages/transport/README.md',
  'packages/unix-socket/README.md',
  'packages/named-pipe/README.md',
  'packages/tcp/README.md',
  'packages/rpc-server/README.md',
];
const COMMAND_TIMEOUT_MS = 60_000;
const started = Date.now();

// A private runtime directory (0700, ours) and temp directory for this run.
const scratch = mkdtempSync(join(tmpdir(), 'localwire-readmes-'));
const runtimeDir = join(scratch, 'runtime');
mkdirSync(runtimeDir, { mode: 0o700 });
// Programs live inside the repository, so `@localwire/*` resolve as in the READMEs.
const programs = mkdtempSync(join(root, 'node_modules', '.readme-check-'));
const env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir, TMPDIR: scratch };
for (const key of Object.keys(env)) {
  // A child npm must not think it runs inside this script's `npm run`.
  if (/^npm_(package_|lifecycle_|config_local_prefix$|config_workspace)/i.test(key)) {
    delete env[key];
  }
}

let failures = 0;
let ran = 0;
let skipped = 0;
try {
  for (const readme of readmes) await checkReadme(readme);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(programs, { recursive: true, force: true });
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `== check:readmes: ${ran} blocks ran, ${skipped} skipped with a reason, ${failures} failed, in ${seconds} s`,
);
process.exitCode = failures > 0 ? 1 : 0;

async function checkReadme(readme) {
  console.log(`== ${readme}`);
  const background = [];
  for (const block of blocksOf(readFileSync(join(root, readme), 'utf8'))) {
    const where = `${readme}:${block.line}`;
    const { marker } = block;
    if (marker.startsWith('skip')) {
      skipped++;
      console.log(`   ${where} [${block.lang}] skipped: ${marker.replace(/^skip:?\s*/, '')}`);
      continue;
    }
    if (marker === 'setup') {
      skipped++;
      console.log(`   ${where} [${block.lang}] the set-up command (this check runs after it)`);
      continue;
    }
    // Never run unmarked what would change this checkout or take minutes.
    const guarded = block.body.find((l) =>
      /^\$? ?(npm (ci|install|run (bench|release))\b)/.test(l),
    );
    if (marker === '' && guarded !== undefined) {
      failures++;
      console.log(`   ${where} FAILED: "${guarded}" must be marked (setup, or skip with a reason)`);
      continue;
    }
    if (marker === 'after background') await stopAll(background, where);
    const until = marker.match(/^background until "(.+)"$/)?.[1];
    try {
      if (until !== undefined) {
        background.push(await startBackground(block, until, where));
      } else {
        await runBlock(block, where);
      }
      ran++;
    } catch (error) {
      failures++;
      console.log(`   ${where} [${block.lang}] FAILED: ${error.message}`);
    }
  }
  await stopAll(background, readme);
}

/** The fenced blocks of a README, with the marker comment just before each (or ''). */
function blocksOf(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = lines[i].match(/^```(\w*)\s*$/);
    if (!fence) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    const before = lines.slice(0, i).findLast((line) => line.trim() !== '') ?? '';
    const marker = before.match(/^<!-- readme-check: (.+?) -->$/)?.[1] ?? '';
    const body = lines.slice(i + 1, end);
    const block = { lang: fence[1] || 'text', line: i + 1, body, marker };
    // Only what can be run counts: shell, programs, and transcripts with commands.
    const runnable =
      ['sh', 'ts', 'js'].includes(block.lang) ||
      (block.lang === 'text' && body.some((l) => l.startsWith('$ ')));
    if (runnable) blocks.push(block);
    i = end;
  }
  return blocks;
}

async function runBlock(block, where) {
  if (block.lang === 'sh') {
    const script = block.body.join('\n');
    await expectExit(spawnShell(script), 0, script);
    console.log(`   ${where} [sh] ok: ${oneLine(script)}`);
  } else if (block.lang === 'text') {
    for (const { command, status } of transcript(block.body)) {
      await expectExit(spawnShell(command), status, command);
      console.log(`   ${where} [text] ok (exit ${status}): ${command}`);
    }
  } else {
    const file = join(programs, `${where.replace(/[^\w.-]+/g, '_')}.mjs`);
    const { outputText } = ts.transpileModule(block.body.join('\n'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(file, outputText);
    await expectExit(spawnChild(process.execPath, [file]), 0, `node ${relative(root, file)}`);
    console.log(`   ${where} [${block.lang}] ok: the program ran and exited 0`);
  }
}

/** The `$ ` commands of a transcript and the exit status each must have. */
function transcript(body) {
  const commands = [];
  for (let i = 0; i < body.length; i++) {
    if (!body[i].startsWith('$ ')) continue;
    const command = body[i].slice(2);
    if (command === 'echo $?') {
      const previous = commands.at(-1);
      if (previous) previous.status = Number(body[i + 1]);
      continue;
    }
    commands.push({ command, status: 0 });
  }
  return commands;
}

async function startBackground(block, until, where) {
  const [{ command }] = transcript(block.body);
  const child = spawnShell(command, { detached: true });
  await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${until}" within ${COMMAND_TIMEOUT_MS} ms`)),
      COMMAND_TIMEOUT_MS,
    );
    const check = () => {
      if (child.output.includes(until)) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${until}":\n${child.output}`));
    });
  });
  console.log(`   ${where} [text] running in the background (it printed "${until}"): ${command}`);
  // What it prints last, once stopped, is the transcript's last line.
  const last = block.body.findLast((line) => line.trim() !== '');
  return { child, command, where, last };
}

/**
 * SIGINT to each background command, which must then end as its transcript
 * does (its last line) and exit 0 — or, for npx, which passes the signal on
 * to the command and then dies of it as in a terminal, by SIGINT.
 */
async function stopAll(background, where) {
  for (const { child, command, where: started, last } of background.splice(0)) {
    const exited = once(child, 'exit');
    // To its whole process group, as Ctrl+C in a terminal sends it.
    process.kill(-child.pid, 'SIGINT');
    const [code, signal] = await exited;
    const endsRight = child.output.trimEnd().endsWith(last);
    if ((code === 0 || signal === 'SIGINT') && endsRight) {
      console.log(`   ${started} [text] stopped by SIGINT, ending with "${last}": ${command}`);
    } else {
      failures++;
      const how = `exit ${code ?? signal}${endsRight ? '' : `, not ending with "${last}"`}`;
      console.log(`   ${where}: ${command}: ${how} on SIGINT:\n${child.output}`);
    }
  }
}

/** Runs `script` with bash; `detached` gives it a process group of its own. */
function spawnShell(script, { detached = false } = {}) {
  return spawnChild('bash', ['-euo', 'pipefail', '-c', script], { detached });
}

function spawnChild(command, args, { detached = false } = {}) {
  const child = spawn(command, args, {
    cwd: root,
    env,
    detached,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.output = '';
  const collect = (chunk) => {
    child.output += chunk;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return child;
}

async function expectExit(child, status, what) {
  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  const [code, signal] = await once(child, 'exit');
  clearTimeout(timer);
  if (code !== status) {
    throw new Error(
      `${oneLine(what)}: exit ${code ?? signal}, expected ${status}:\n${child.output.trimEnd()}`,
    );
  }
}

function oneLine(text) {
  return text.replace(/\s*#[^\n']*$/gm, '').replace(/\n/g, '; ');
}
