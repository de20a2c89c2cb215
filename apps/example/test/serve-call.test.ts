import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connectRpc } from '@localwire/rpc-server';
import { afterEach, describe, expect, it } from 'vitest';
import { transport } from '../src/platform.js';
import { callOk, cleanup, freshAddress, isWindows, run, serve } from './helpers/cli.js';

afterEach(cleanup);

describe('serve + call, one method at a time', () => {
  it('serve prints exactly "listening <address>" on stdout, and logs on stderr', async () => {
    const address = await freshAddress();
    const server = await serve(address);
    await server.logged('Ctrl+C to stop');
    await callOk(address, 'echo', '1');
    await server.logged('connected: pid');
    await server.stop('SIGKILL');
    expect(server.stderr()).toContain('codec ndjson, access user');
  });

  it('echo returns its value, by position or by name', async () => {
    const address = await freshAddress();
    await serve(address);
    const values = await Promise.all([
      callOk(address, 'echo', '"hello"'),
      callOk(address, 'echo', '[{"nested": [1, null, true]}]'),
      callOk(address, 'echo', '{"value": "by name"}'),
      callOk(address, 'echo', '[[1, 2]]'),
      callOk(address, 'echo', 'null'),
    ]);
    expect(values).toEqual(['hello', { nested: [1, null, true] }, 'by name', [1, 2], null]);
  });

  it('add sums [a, b] or {a, b}; anything else is -32602 and exit 1', async () => {
    const address = await freshAddress();
    await serve(address);
    expect(await callOk(address, 'add', '[2, 3]')).toBe(5);
    expect(await callOk(address, 'add', '{"a": 1.5, "b": -4}')).toBe(-2.5);
    const bad = await Promise.all(
      ['["2", 3]', '[1, 2, 3]', '{"a": 1}', '{"a": 1, "b": 2, "c": 3}', '7'].map((params) =>
        run('call', 'add', params, '--address', address),
      ),
    );
    for (const result of bad) {
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^localwire-example call: add failed: error -32602: Invalid params/,
      );
    }
  });

  it('sleep answers ms milliseconds later with ms, and refuses a bad ms', async () => {
    const address = await freshAddress();
    await serve(address);
    const started = performance.now();
    expect(await callOk(address, 'sleep', '300')).toBe(300);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    const bad = await run('call', 'sleep', '{"ms": -5}', '--address', address);
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stderr).toContain('error -32602: Invalid params: ms must be a whole number');
  });

  it('whoami returns the caller’s credentials as the OS reports them', async () => {
    const address = await freshAddress();
    await serve(address);
    const result = await run('call', 'whoami', '--address', address);
    expect(result.stderr).toBe('');
    expect(result.code, result.stderr).toBe(0);
    const peer = JSON.parse(result.stdout);
    expect(peer.pid).toBe(result.pid);
    if (isWindows) {
      expect(peer.sid).toMatch(/^S-1-5-/);
    } else {
      expect(peer).toEqual({ pid: result.pid, uid: process.getuid!(), gid: process.getgid!() });
    }
  });

  it('subscribe returns an id; unsubscribe of another connection’s id is false', async () => {
    const address = await freshAddress();
    await serve(address);
    const id = await callOk(address, 'subscribe', '["ticks", 1000]');
    expect(id).toMatch(/^0x[0-9a-f]{32}$/);
    // That subscription ended with the call's connection.
    expect(await callOk(address, 'unsubscribe', JSON.stringify([id]))).toBe(false);
    const bad = await run('call', 'subscribe', '["tocks", 10]', '--address', address);
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stderr).toContain(
      'error -32602: Invalid params: unknown subscription topic "tocks"',
    );
  });

  it('subscribe pushes { subscription, result: n } for n = 1, 2, 3…; unsubscribe stops them', async () => {
    const address = await freshAddress();
    await serve(address);
    const client = await connectRpc(transport, address, { connect: { timeout: 10_000 } });
    try {
      const pushes: unknown[] = [];
      let third: () => void = () => {};
      const gotThree = new Promise<void>((resolve) => {
        third = resolve;
      });
      client.on('subscription', (params: unknown) => {
        pushes.push(params);
        if (pushes.length === 3) third();
      });
      const id = await client.request('subscribe', ['ticks', 20]);
      await gotThree;
      expect(await client.request('unsubscribe', [id])).toBe(true);
      const stoppedAt = pushes.length;
      expect(pushes.slice(0, 3)).toEqual([1, 2, 3].map((n) => ({ subscription: id, result: n })));
      // A round trip after the answer: no push can still be on its way.
      expect(await client.request('echo', ['after'])).toBe('after');
      expect(pushes).toHaveLength(stoppedAt);
      expect(await client.request('unsubscribe', [id])).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('an unknown method is -32601 and exit 1, with the error on stderr', async () => {
    const address = await freshAddress();
    await serve(address);
    const result = await run('call', 'nope', '--address', address);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'localwire-example call: nope failed: error -32601: Method not found\n',
    );
  });

  it('--timeout: no answer in time is exit 1, naming the wait', async () => {
    const address = await freshAddress();
    await serve(address);
    const result = await run('call', 'sleep', '5000', '--timeout', '300', '--address', address);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /^localwire-example call: ETIMEDOUT: sleep failed: no answer to the request "sleep" within 300 ms/,
    );
  });
});

describe('serve options', () => {
  it('--codec content-length: call and serve agree on the framing', async () => {
    const address = await freshAddress();
    await serve(address, '--codec', 'content-length');
    const result = await run('call', 'add', '[20, 22]', '--codec', 'content-length', '-a', address);
    expect(result.stderr).toBe('');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toBe(42);
  });

  it('--access: user by default, everyone on request', async () => {
    const [mine, shared] = await Promise.all([freshAddress(), freshAddress()]);
    await Promise.all([serve(mine), serve(shared, '--access', 'everyone')]);
    expect(await callOk(mine, 'echo', '"mine"')).toBe('mine');
    expect(await callOk(shared, 'echo', '"shared"')).toBe('shared');
    if (!isWindows) {
      expect(statSync(mine).mode & 0o777).toBe(0o600);
      expect(statSync(shared).mode & 0o777).toBe(0o666);
    }
  });

  it('an address in use: the second serve exits 1 and says so', async () => {
    const address = await freshAddress();
    await serve(address);
    const second = await run('serve', '--address', address);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stdout).toBe('');
    // One line, leading with the code, for scripts and searches.
    expect(second.stderr).toMatch(/^localwire-example serve: EADDRINUSE: cannot listen: .+\n$/);
    expect(second.stderr).toContain('already in use');
    expect(await callOk(address, 'echo', '"still here"')).toBe('still here');
  });

  it('an address too long for the OS: exit 1, one line leading with the code', async () => {
    const tooLong = isWindows
      ? `\\\\.\\pipe\\${'x'.repeat(300)}`
      : join(dirname(await freshAddress()), `${'x'.repeat(200)}.sock`);
    const result = await run('serve', '--address', tooLong);
    expect(result.code, result.stderr).toBe(1);
    const code = isWindows ? 'EINVAL' : 'ENAMETOOLONG';
    expect(result.stderr).toMatch(
      new RegExp(`^localwire-example serve: ${code}: cannot listen: .+\\n$`),
    );
  });
});
