#!/usr/bin/env node
// Checks what npm would publish, from the packed tarballs (run after
// `npm run build`; `npm run check:packages` builds first):
//
//   1. workflows  every .github/workflows/*.yml passes action-validator
//   2. pack       `npm pack` of each public packages/* workspace
//   3. publint    on each tarball, warnings count as errors
//   4. attw       on each tarball, every profile (node10, node16 from CJS and
//                 from ESM, bundler). An entry point whose `exports` has no
//                 `require` condition (@localwire/transport/conformance: it
//                 imports vitest, which is ESM-only) is checked on its own
//                 with attw's `esm-only` profile, and nowhere else relaxed.
//   5. smoke      a scratch CommonJS project and a scratch ESM project
//                 (scripts/smoke/*) `npm install` the tarballs (their
//                 third-party dependencies come from the npm cache or
//                 registry) and make a real JSON-RPC call over a Unix socket (and over TCP on loopback);
//                 the ESM one also mixes in the CommonJS build (the dual
//                 package hazard)
//   6. types      both smoke projects type-check (their tsconfig.json: checkJs,
//                 strict) with TypeScript 5.9 and 7 (the root devDependencies
//                 `typescript` and `typescript-7`)
//   7. size       the install of each package into an empty project, as a
//                 consumer gets it (node_modules, apparent size), printed;
//                 on linux-x64, unix-socket + rpc-server must stay within
//                 8 MB (8,000,000 bytes)
//
// Exits non-zero on the first failing step. LOCALWIRE_KEEP_TMP=1 keeps the
// scratch directory.
import { spawn } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'localwire-check-'));
const started = Date.now();
const isWindows = process.platform === 'win32';
const rootManifest = readJson(join(root, 'package.json'));

/** The consumer install that must stay small, and its limit, on linux-x64. */
const LEAN_INSTALL = ['@localwire/unix-socket', '@localwire/rpc-server'];
const LEAN_INSTALL_LIMIT = 8_000_000;

// A child npm must not think it runs inside this repository's `npm run`.
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^npm_(package_|lifecycle_|config_local_prefix$|config_workspace)/i.test(key),
  ),
);

try {
  await main();
  console.log(`== check:packages: all good in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: this script is not a turbo task.
  if (!process.env.LOCALWIRE_KEEP_TMP) rmSync(scratch, { recursive: true, force: true });
} catch (error) {
  console.error(`\n== check:packages: FAILED: ${error.message}`);
  console.error(`   scratch directory kept: ${scratch}`);
  process.exitCode = 1;
}

async function main() {
  const packages = readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .map((dir) => ({ dir, manifest: readJson(join(dir, 'package.json')) }))
    .filter(({ manifest }) => !manifest.private);

  step('workflows: action-validator');
  const workflowDir = join(root, '.github', 'workflows');
  for (const file of readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f))) {
    await exec(process.execPath, [bin('@action-validator/cli'), join(workflowDir, file)]);
    console.log(`   ${file}: valid`);
  }

  step('pack');
  const packDir = join(scratch, 'packs');
  mkdirSync(packDir);
  const tarballs = new Map();
  for (const { dir, manifest } of packages) {
    const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', packDir], {
      cwd: dir,
      quiet: true,
    });
    const [{ filename, entryCount, size }] = JSON.parse(stdout);
    tarballs.set(manifest.name, join(packDir, filename));
    console.log(`   ${filename}: ${entryCount} files, ${(size / 1024).toFixed(1)} kB`);
  }

  step('publint (strict)');
  await Promise.all(
    packages.map(async ({ manifest }) => {
      const tgz = tarballs.get(manifest.name);
      const { output } = await exec(process.execPath, [bin('publint'), 'run', tgz, '--strict'], {
        quiet: true,
      });
      console.log(`   ${manifest.name}: ${lastLine(output)}`);
    }),
  );

  step('attw');
  await Promise.all(
    packages.map(async ({ manifest }) => {
      const tgz = tarballs.get(manifest.name);
      const attw = [bin('@arethetypeswrong/cli'), tgz, '--format', 'table-flipped', '--no-color'];
      const esmOnly = esmOnlyEntrypoints(manifest);
      const runs = [[]];
      if (esmOnly.length > 0) {
        runs[0] = ['--exclude-entrypoints', ...esmOnly];
        runs.push(['--entrypoints', ...esmOnly, '--profile', 'esm-only']);
      }
      for (const extra of runs) {
        const { output } = await exec(process.execPath, [...attw, ...extra], { quiet: true });
        const scope = extra.includes('esm-only')
          ? `${esmOnly.join(', ')}, profile esm-only`
          : `entry points${esmOnly.length > 0 ? ` but ${esmOnly.join(', ')}` : ''}, profile strict`;
        const verdict = /No problems found/.test(output)
          ? 'no problems'
          : `no problems (${output.match(/ignoring resolutions: [^)]*/)?.[0] ?? 'exit code 0'})`;
        console.log(`   ${manifest.name} (${scope}): ${verdict}`);
      }
    }),
  );

  step('smoke: CommonJS and ESM projects install the tarballs and call over a Unix socket');
  if (isWindows) {
    console.log('   skipped on Windows (the smoke projects use a Unix socket)');
    return;
  }
  const smokeProjects = await Promise.all(
    ['cjs', 'esm'].map(async (kind) => {
      const project = join(scratch, `smoke-${kind}`);
      cpSync(join(root, 'scripts', 'smoke', kind), project, { recursive: true });
      // @types/node at the repository's version, for the type check below.
      const typesNode = `@types/node@${rootManifest.devDependencies['@types/node']}`;
      await npmInstall(project, [...tarballs.values(), typesNode]);
      const { output } = await exec(process.execPath, ['smoke.js'], { cwd: project, quiet: true });
      console.log(`   ${output.trim()}`);
      return project;
    }),
  );

  step('types: the smoke projects type-check with TypeScript 5.9 and 7');
  for (const [name, dependency] of [
    ['TypeScript 5.9', 'typescript'],
    ['TypeScript 7', 'typescript-7'],
  ]) {
    const tsc = bin(dependency);
    const { stdout: version } = await exec(process.execPath, [tsc, '--version'], { quiet: true });
    await Promise.all(
      smokeProjects.map((project) =>
        exec(process.execPath, [tsc, '-p', project], { cwd: project, quiet: true }),
      ),
    );
    console.log(`   ${name} (${version.trim()}): smoke-cjs, smoke-esm: no errors`);
  }

  step('size: the install of each package into an empty project');
  const installs = [...packages.map(({ manifest }) => [manifest.name]), LEAN_INSTALL];
  const sizes = await Promise.all(
    installs.map(async (names) => {
      const project = join(scratch, `size-${names.map((n) => n.split('/')[1]).join('+')}`);
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), '{ "private": true }\n');
      const wanted = new Set(names.flatMap((name) => withLocalDependencies(name, packages)));
      await npmInstall(
        project,
        [...wanted].map((name) => tarballs.get(name)),
      );
      return { names, ...installSize(join(project, 'node_modules')) };
    }),
  );
  const platform = `${process.platform}-${process.arch}`;
  for (const { names, total, largest } of sizes) {
    const parts = largest.map(([name, bytes]) => `${name} ${megabytes(bytes)}`).join(', ');
    console.log(`   ${names.join(' + ')}: ${megabytes(total)} on ${platform} (largest: ${parts})`);
  }
  const lean = sizes.at(-1);
  if (platform === 'linux-x64' && lean.total > LEAN_INSTALL_LIMIT) {
    throw new Error(
      `${LEAN_INSTALL.join(' + ')} install ${megabytes(lean.total)}, over the ${megabytes(LEAN_INSTALL_LIMIT)} limit`,
    );
  }
  console.log(
    platform === 'linux-x64'
      ? `   ${LEAN_INSTALL.join(' + ')}: within the ${megabytes(LEAN_INSTALL_LIMIT)} limit`
      : `   the ${megabytes(LEAN_INSTALL_LIMIT)} limit is enforced on linux-x64 only`,
  );
}

/** A consumer's `npm install` of these tarballs or specs into `project`. */
function npmInstall(project, specs) {
  return exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs],
    { cwd: project, quiet: true },
  );
}

/** `name` and the @localwire packages it depends on, transitively (their tarballs are installed with it). */
function withLocalDependencies(name, packages) {
  const manifest = packages.find((p) => p.manifest.name === name)?.manifest;
  if (!manifest) return [];
  const local = Object.keys(manifest.dependencies ?? {}).filter((dep) =>
    packages.some((p) => p.manifest.name === dep),
  );
  return [name, ...local.flatMap((dep) => withLocalDependencies(dep, packages))];
}

/** Bytes under `nodeModules` (apparent sizes, links not followed), and the three largest packages. */
function installSize(nodeModules) {
  const sizeOf = (path) => {
    const stat = lstatSync(path);
    if (!stat.isDirectory()) return stat.size;
    return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
  };
  const byPackage = readdirSync(nodeModules)
    .filter((entry) => !entry.startsWith('.'))
    .flatMap((entry) =>
      entry.startsWith('@')
        ? readdirSync(join(nodeModules, entry)).map((scoped) => `${entry}/${scoped}`)
        : [entry],
    )
    .map((name) => [name, sizeOf(join(nodeModules, name))]);
  const total = sizeOf(nodeModules);
  return { total, largest: byPackage.sort((a, b) => b[1] - a[1]).slice(0, 3) };
}

function megabytes(bytes) {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Subpaths of `exports` that CommonJS cannot load: no `require` (or `default`) condition. */
function esmOnlyEntrypoints(manifest) {
  return Object.entries(manifest.exports ?? {})
    .filter(
      ([, target]) => typeof target === 'object' && !('require' in target || 'default' in target),
    )
    .map(([subpath]) => subpath);
}

function step(title) {
  console.log(`== check:packages: ${title}`);
}

/** The CLI script of a root devDependency (not every one exports its package.json). */
function bin(name) {
  const manifestPath = join(root, 'node_modules', name, 'package.json');
  const { bin } = readJson(manifestPath);
  return join(dirname(manifestPath), typeof bin === 'string' ? bin : Object.values(bin)[0]);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function lastLine(text) {
  return text.trim().split('\n').at(-1);
}

/**
 * Runs a command; resolves with its stdout and its whole output (stdout and
 * stderr), rejects (printing that output) when it fails. `quiet` buffers the
 * output instead of streaming it.
 */
function exec(command, args, { cwd = root, quiet = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: childEnv,
      shell: isWindows && command === 'npm',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const collect = (stream, target) =>
      stream.on('data', (chunk) => {
        output += chunk;
        if (!quiet) target.write(chunk);
      });
    collect(child.stdout, process.stdout);
    collect(child.stderr, process.stderr);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolvePromise({ stdout, output });
      if (quiet) process.stderr.write(output);
      reject(new Error(`${[command, ...args].join(' ')} exited with ${code}`));
    });
  });
}
