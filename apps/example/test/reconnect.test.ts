import { afterEach, expect, it } from 'vitest';

// Issue 17: --reconnect and --wait, with servers killed (SIGKILL) and started again.
import { cleanup, freshAddress, isWindows, run, serve, start } from './helpers/cli.js';

afterEach(cleanup);

it('watch --reconnect goes on printing ticks after the server is killed and restarted', async () => {
  const address = await freshAddress();
  const first = await serve(address);
  const watching = start('watch', '--reconnect', '--interval', '20', '--address', address);
  await watching.waitFor('stdout', 'tick 2\n');
  await first.stop('SIGKILL');
  await watching.waitFor('stderr', `the server went away; reconnecting to ${address}\n`);
  await serve(address);
  await watching.waitFor('stderr', 'reconnected after ');
  await watching.waitFor('stderr', 'ticks sent while disconnected are lost\n');
  // The new server's subscription counts from 1 again.
  await watching.waitFor('stdout', 'tick 2\ntick 1\ntick 2\n');
  // Ctrl+C: Windows has no SIGINT to send a child (kill terminates it), so only here.
  if (!isWindows) {
    watching.child.kill('SIGINT');
    const result = await watching.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/unsubscribed\n$/);
  }
});

it('call --wait waits for a server that starts after it', async () => {
  const address = await freshAddress();
  const calling = start('call', 'add', '[1, 2]', '--wait', '--address', address);
  await serve(address);
  const result = await calling.result;
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toBe('3\n');
});

it('call --reconnect --idempotent sends a call again when the server is killed before answering', async () => {
  const address = await freshAddress();
  const first = await serve(address);
  const calling = start(
    'call',
    'sleep',
    '[300]',
    '--reconnect',
    '--idempotent',
    '--address',
    address,
  );
  await first.logged('connected: ');
  // The call goes out as soon as it has connected; let it reach the server.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await first.stop('SIGKILL');
  await calling.waitFor('stderr', 'reconnecting');
  await serve(address);
  const result = await calling.result;
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toBe('300\n');
});

it('call --reconnect without --idempotent fails with ECONNRESET rather than send the call twice', async () => {
  const address = await freshAddress();
  const first = await serve(address);
  const calling = start('call', 'sleep', '[300]', '--reconnect', '--address', address);
  await first.logged('connected: ');
  // The call goes out as soon as it has connected; let it reach the server.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await first.stop('SIGKILL');
  const result = await calling.result;
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toContain('ECONNRESET');
});

it('call --wait without a server gives up after --timeout, exit 2', async () => {
  const address = await freshAddress();
  const result = await run(
    'call',
    'add',
    '[1, 2]',
    '--wait',
    '--timeout',
    '300',
    '--address',
    address,
  );
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toContain('ETIMEDOUT');
  expect(result.stderr).toContain(address);
});
