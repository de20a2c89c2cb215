// Issue 19: --address tcp://host:port and tls://host:port, on loopback only (127.0.0.1 and ::1).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from '@localwire/test-pki';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callOk, cleanup, run, serve } from './helpers/cli.js';
import { freeTcpAddress, type LoopbackHost } from './helpers/ports.js';

afterEach(cleanup);

/** How `whoami` reports a peer on `host`: its address with the port it connected from. */
const peerAddress = (host: LoopbackHost) =>
  host === '::1' ? /^\[::1\]:\d+$/ : /^127\.0\.0\.1:\d+$/;

describe.each<LoopbackHost>(['127.0.0.1', '::1'])('tcp:// on %s', (host) => {
  it('serve listens there; call and watch reach it', async () => {
    const address = await freeTcpAddress('tcp', host);
    const server = await serve(address);
    expect(await callOk(address, 'add', '[2, 3]')).toBe(5);
    const peer = await callOk(address, 'whoami');
    expect(peer).toEqual({ address: expect.stringMatching(peerAddress(host)) });
    const watched = await run('watch', '--count', '2', '--interval', '20', '--address', address);
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toBe('tick 1\ntick 2\n');
    expect(server.stderr()).toContain('on TCP (@localwire/tcp) (codec ndjson, access everyone)');
    expect(server.stderr()).toMatch(/^connected: address (127\.0\.0\.1|\[::1\]):\d+$/m);
  });
});

describe('tcp:// errors', () => {
  it('nobody listening: call exits 2 with ECONNREFUSED, naming the address', async () => {
    const address = await freeTcpAddress('tcp', '127.0.0.1');
    const result = await run('call', 'echo', '1', '--address', address);
    expect(result.code, result.stderr).toBe(2);
    const port = address.split(':').at(-1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^localwire-example call: ECONNREFUSED: cannot connect: .*127\\.0\\.0\\.1:${port}`,
      ),
    );
  });

  it('--access user cannot be kept over TCP: exit 2, EINVAL', async () => {
    const address = await freeTcpAddress('tcp', '127.0.0.1');
    const result = await run('serve', '--address', address, '--access', 'user');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^localwire-example serve: EINVAL: --access user cannot be kept at tcp:\/\/127\.0\.0\.1:\d+: every local user/,
    );
  });

  it('--cert on an address that is not tls://, or an unknown scheme: usage errors', async () => {
    const [certOnTcp, unknown] = await Promise.all([
      run('call', 'echo', '1', '--address', 'tcp://127.0.0.1:7000', '--cert', 'client.pem'),
      run('call', 'echo', '1', '--address', 'udp://127.0.0.1:7000'),
    ]);
    expect(certOnTcp.code, certOnTcp.stderr).toBe(2);
    expect(certOnTcp.stderr).toContain('--cert is for tls:// addresses');
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toContain('unknown scheme "udp://"');
  });
});

describe('tls:// command-line errors', () => {
  it('serve without --cert, --key or --ca: exit 2, EINVAL naming the flag', async () => {
    const address = await freeTcpAddress('tls', '127.0.0.1');
    const [noCert, noKey, noCa] = await Promise.all([
      run('serve', '--address', address, '--key', 'server-key.pem', '--ca', 'ca.pem'),
      run('serve', '--address', address, '--cert', 'server.pem', '--ca', 'ca.pem'),
      // Without a CA of its own, a server requiring client certificates would trust any a public CA issued.
      run('serve', '--address', address, '--cert', 'server.pem', '--key', 'server-key.pem'),
    ]);
    for (const [result, flag] of [
      [noCert, '--cert'],
      [noKey, '--key'],
      [noCa, '--ca'],
    ] as const) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(`^localwire-example serve: EINVAL: serving at ${address} needs ${flag} <file>`),
      );
    }
  });

  it('a file that cannot be read: exit 2, one line naming the flag and the file', async () => {
    const missing = join(tmpdir(), `lwx-missing-${process.pid}`, 'server.pem');
    const address = await freeTcpAddress('tls', '127.0.0.1');
    const result = await run(
      'serve',
      '--address',
      address,
      '--cert',
      missing,
      '--key',
      missing,
      '--ca',
      missing,
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(
      `localwire-example serve: ENOENT: cannot read --cert file ${JSON.stringify(missing)}: no such file or directory\n`,
    );
  });
});

// The certificates are made with the openssl CLI, which node.exe cannot run
// under Wine (scripts/test-windows.sh): these run on Linux and macOS only.
describe.runIf(process.platform !== 'win32')('tls://', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki?.dispose());

  const serverFlags = () => [
    '--cert',
    pki.server.certFile,
    '--key',
    pki.server.keyFile,
    '--ca',
    pki.caFile,
  ];
  const clientFlags = () => [
    '--ca',
    pki.caFile,
    '--cert',
    pki.client.certFile,
    '--key',
    pki.client.keyFile,
  ];

  it.each<LoopbackHost>(['127.0.0.1', '::1'])(
    'on %s: call and watch with --ca, --cert and --key; whoami names the client certificate',
    async (host) => {
      const address = await freeTcpAddress('tls', host);
      const server = await serve(address, ...serverFlags());
      expect(await callOk(address, 'add', '[20, 22]', ...clientFlags())).toBe(42);
      const peer = await callOk(address, 'whoami', undefined, ...clientFlags());
      expect(peer).toEqual({
        address: expect.stringMatching(peerAddress(host)),
        certificateSubject: 'CN=client',
        certificateFingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
      });
      const watched = await run('watch', '-n', '2', '-i', '20', '-a', address, ...clientFlags());
      expect(watched.code, watched.stderr).toBe(0);
      expect(watched.stdout).toBe('tick 1\ntick 2\n');
      expect(server.stderr()).toContain('on TLS (@localwire/tcp)');
    },
  );

  it('a client without a certificate is refused: exit 2, EACCES; no connection reaches the server', async () => {
    const address = await freeTcpAddress('tls', '127.0.0.1');
    const server = await serve(address, ...serverFlags());
    const result = await run('call', 'echo', '1', '--address', address, '--ca', pki.caFile);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^localwire-example call: EACCES: cannot connect: 127\.0\.0\.1:\d+: TLS: the server requires a client certificate/,
    );
    // A client that passes, after it: the refused one never got as far as a connection.
    expect(await callOk(address, 'echo', '"after"', ...clientFlags())).toBe('after');
    expect(server.stderr().match(/^connected: /gm)).toHaveLength(1);
  });

  it('a client that does not trust the server’s CA is refused: exit 2, EACCES', async () => {
    const address = await freeTcpAddress('tls', '127.0.0.1');
    await serve(address, ...serverFlags());
    // Without --ca the client trusts Node's bundled CAs only, which did not sign the test server.
    const result = await run(
      'call',
      'echo',
      '1',
      '--address',
      address,
      '--cert',
      pki.client.certFile,
      '--key',
      pki.client.keyFile,
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      /^localwire-example call: EACCES: cannot connect: .*not signed by a CA this client trusts/,
    );
  });
});
