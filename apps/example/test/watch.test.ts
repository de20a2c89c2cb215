import { afterEach, expect, it } from 'vitest';
import { cleanup, freshAddress, run, serve, start } from './helpers/cli.js';

afterEach(cleanup);

it('watch --count 3 prints three ticks, unsubscribes and exits 0', async () => {
  const address = await freshAddress();
  await serve(address);
  const result = await run('watch', '--count', '3', '--interval', '50', '--address', address);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toBe('tick 1\ntick 2\ntick 3\n');
  expect(result.stderr).toMatch(
    /^subscribed 0x[0-9a-f]{32} \(a tick every 50 ms\)\nunsubscribed\n$/,
  );
});

it('watch --codec content-length against a content-length server', async () => {
  const address = await freshAddress();
  await serve(address, '--codec', 'content-length');
  const result = await run(
    'watch',
    '-n',
    '2',
    '-i',
    '20',
    '--codec',
    'content-length',
    '-a',
    address,
  );
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toBe('tick 1\ntick 2\n');
});

it('watch exits 1 when the server goes away mid-stream', async () => {
  const address = await freshAddress();
  const server = await serve(address);
  const watching = start('watch', '--interval', '50', '--address', address);
  await watching.waitFor('stdout', 'tick 1\n');
  await server.stop('SIGKILL');
  const result = await watching.result;
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(
    /^localwire-example watch: ECONNRESET: the server closed the connection\n$/m,
  );
});
