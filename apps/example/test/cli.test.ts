import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, freshAddress, run } from './helpers/cli.js';

afterEach(cleanup);

describe('help', () => {
  it('--help lists every command and exits 0', async () => {
    const result = await run('--help');
    expect(result.stderr).toBe('');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: localwire-example <command>/);
    for (const command of ['serve', 'call', 'watch', 'demo']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(result.stderr).toBe('');
  });

  it.each([
    ['serve', '--help'],
    ['call', '--help'],
    ['watch', '-h'],
    ['demo', '--help'],
  ])('%s %s prints its usage and exits 0', async (command, flag) => {
    const result = await run(command, flag);
    expect(result.stderr).toBe('');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: localwire-example ${command}`));
  });

  it.each(['serve', 'call', 'watch'])(
    '%s --help documents the address schemes and the TLS flags',
    async (command) => {
      const result = await run(command, '--help');
      expect(result.code, result.stderr).toBe(0);
      for (const text of ['tcp://<host>:<port>', 'tls://<host>:<port>', '--cert <file>']) {
        expect(result.stdout).toContain(text);
      }
      expect(result.stdout).toContain('--key <file>');
      expect(result.stdout).toContain('--ca <file>');
    },
  );

  it('help <command> prints that command’s usage', async () => {
    const result = await run('help', 'call');
    expect(result.stderr).toBe('');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: localwire-example call <method> \[params\]/);
  });
});

describe('usage errors exit 2 with a clear message', () => {
  it('no command: says so and shows the usage', async () => {
    const result = await run();
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('which command?');
    expect(result.stderr).toContain('Usage: localwire-example <command>');
    expect(result.stdout).toBe('');
  });

  it.each([[['frobnicate']], [['help', 'frobnicate']]])('%j: an unknown command', async (args) => {
    const result = await run(...args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stdout).toBe('');
  });

  it.each([
    [['serve', '--bogus'], "Unknown option '--bogus'"],
    [['call', 'echo', '1', '--verbose'], "Unknown option '--verbose'"],
    [['watch', '--address'], "Option '-a, --address <value>' argument missing"],
    [['demo', 'extra'], "Unexpected argument 'extra'"],
  ])('%j: an unknown flag, a missing value or a stray argument', async (args, message) => {
    const result = await run(...args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(`Run "localwire-example ${args[0]} --help"`);
    expect(result.stdout).toBe('');
  });

  it.each([
    [['call', 'echo', '{bad'], 'params must be JSON'],
    [['call', 'echo', "'single'"], 'params must be JSON'],
    [['call', 'add', '1', '2'], 'give the params as one JSON argument'],
    [['call'], 'which method?'],
  ])('%j: bad params, before connecting', async (args, message) => {
    const result = await run(...args, '--address', await freshAddress());
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it.each([
    [['call', 'echo', '1', '--timeout', 'soon'], '--timeout must be a whole number'],
    [['call', 'echo', '1', '--timeout', '0'], '--timeout must be a whole number'],
    [['watch', '--count', '-1'], "Option '--count' argument is ambiguous"],
    [['watch', '--count', '2.5'], '--count must be a whole number'],
    [['watch', '--interval', '1e3'], '--interval must be a whole number'],
    [['serve', '--codec', 'xml'], '--codec must be ndjson or content-length, not "xml"'],
    [['serve', '--access', 'nobody'], '--access must be user or everyone, not "nobody"'],
  ])('%j: a bad number or choice', async (args, message) => {
    const result = await run(...args, '--address', await freshAddress());
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('no server at the address: exit 2, naming the address and the cause', () => {
  it.each([['call', 'echo', '"hi"'], ['watch']])('%s', async (...args) => {
    const address = await freshAddress();
    const result = await run(...args, '--address', address, '--codec', 'ndjson');
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^localwire-example ${args[0]}: ENOENT: cannot connect: `));
    expect(lines[0]).toContain(address);
    expect(lines[0]).toContain('start the server first');
    expect(result.stdout).toBe('');
  });
});
