import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanup, isWindows, run } from './helpers/cli.js';

afterEach(cleanup);

it('demo tours the methods on a private address, shuts down and exits 0', async () => {
  const result = await run('demo');
  expect(result.stderr).toBe('');
  expect(result.code, result.stderr).toBe(0);
  const out = result.stdout;
  const address = /^server {2}listening on (.+)$/m.exec(out)?.[1];
  expect(address).toBeDefined();
  for (const line of [
    '→ echo ["hello, localwire"]',
    '← "hello, localwire"',
    '→ add [2, 3]',
    '← 5',
    '→ add { "a": 1.5, "b": 2.5 }',
    '← 4',
    '→ batch echo ["one"], add [40, 2], sleep [50]',
    '← ["one", 42, 50]',
    '→ add ["two", 2]',
    '← error -32602: Invalid params: a and b must be numbers',
    '→ subscribe ["ticks", 100]',
    '  ↞ tick 1',
    '  ↞ tick 2',
    '  ↞ tick 3',
    '← true',
    '→ whoami',
  ]) {
    expect(out.split('\n')).toContain(line);
  }
  // whoami: this demo's own process, on both ends of the connection.
  expect(out).toMatch(new RegExp(`^← \\{ "pid": ${result.pid}, `, 'm'));
  expect(out).toMatch(/\nserver {2}shut down cleanly; .+ is free again\n$/);
  if (!isWindows) {
    expect(existsSync(address!)).toBe(false);
    expect(existsSync(dirname(address!))).toBe(false);
  }
});
