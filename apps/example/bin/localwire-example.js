#!/usr/bin/env node
// What `npx localwire-example` runs. npm links a workspace's bin only if the
// file exists when it installs, and dist/ does not exist yet in a fresh clone:
// so the bin is this committed file, which runs the built CLI, or says how to
// build it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (existsSync(cli)) {
  await import(cli.href);
} else {
  console.error(
    'localwire-example: not built yet; run `npm start` or `npm run build` in the repository root first',
  );
  process.exitCode = 2;
}
