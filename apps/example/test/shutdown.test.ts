import { existsSync } from 'node:fs';
import { connectRpc } from '@localwire/rpc-server';
import { afterEach, describe, expect, it } from 'vitest';
import { transport } from '../src/platform.js';
import { cleanup, freshAddress, run, serve, start } from './helpers/cli.js';

afterEach(cleanup);

// Windows has no SIGINT/SIGTERM to send to another process: Node's kill()
// there terminates it outright, so vitest.windows.config.mjs leaves this file
// out. Ctrl+C in serve's own console still shuts it down gracefully there.
describe('graceful shutdown on a signal', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: every call in flight is answered, the address freed, exit 0',
    async (signal) => {
      const address = await freshAddress();
      const server = await serve(address);
      const clients = await Promise.all(
        [0, 1, 2].map(() => connectRpc(transport, address, { connect: { timeout: 10_000 } })),
      );
      try {
        const sleeps = clients.map((client, i) => client.request('sleep', [2000 + 100 * i]));
        let answered = 0;
        for (const sleep of sleeps)
          sleep.then(
            () => answered++,
            () => {},
          );
        // Answered after the sleep was read: each sleep is in flight now.
        await Promise.all(clients.map((client) => client.request('echo', ['ready'])));

        const exited = server.stop(signal);
        await server.logged(`${signal}: shutting down`);
        expect(answered).toBe(0);
        expect(await Promise.all(sleeps)).toEqual([2000, 2100, 2200]);
        expect(await exited).toEqual({ code: 0, signal: null });
        expect(server.stderr()).toMatch(/\nstopped\n$/);
        expect(existsSync(address)).toBe(false);
        const after = await run('call', 'echo', '1', '--address', address);
        expect(after.code, after.stderr).toBe(2);
      } finally {
        await Promise.all(clients.map((client) => client.close()));
      }
    },
  );
});

describe('watch on a signal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s: unsubscribes and exits 0', async (signal) => {
    const address = await freshAddress();
    await serve(address);
    const watching = start('watch', '--interval', '20', '--address', address);
    await watching.waitFor('stdout', 'tick 2\n');
    watching.child.kill(signal);
    const result = await watching.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^tick 1\ntick 2\n(tick \d+\n)*$/);
    expect(result.stderr).toMatch(
      /^subscribed 0x[0-9a-f]{32} \(a tick every 20 ms\)\nunsubscribed\n$/,
    );
  });
});
