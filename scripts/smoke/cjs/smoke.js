// The packed @localwire/* tarballs, installed into a CommonJS project: every
// require() must load the CommonJS build and a real JSON-RPC call must work
// over a Unix socket. Run by scripts/check-packages.mjs; exits non-zero on failure.
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { TransportError } = require('@localwire/transport');
const { ndjson } = require('@localwire/transport/framing');
const { unixSocketTransport } = require('@localwire/unix-socket');
const { tcpTransport } = require('@localwire/tcp');
const { namedPipeTransport } = require('@localwire/named-pipe');
const { connectRpc, createRpcServer, RpcError, RpcErrorCode } = require('@localwire/rpc-server');

async function main() {
  for (const name of [
    'transport',
    'transport/author',
    'transport/framing',
    'unix-socket',
    'named-pipe',
    'rpc-server',
    'tcp',
  ]) {
    assert.match(require.resolve(`@localwire/${name}`), /[\\/]dist[\\/]cjs[\\/]/, name);
  }
  // The conformance suite imports vitest, which is ESM-only: so is the entry
  // (and TypeScript, resolving as CommonJS, finds no declarations for it).
  // @ts-expect-error
  assert.throws(() => require('@localwire/transport/conformance'), {
    code: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
  });

  const dir = mkdtempSync(join(tmpdir(), 'localwire-smoke-'));
  const address = join(dir, 'rpc.sock');
  const server = createRpcServer({
    methods: {
      add: ([a, b]) => a + b,
      callerPid: (_params, context) => context.peer?.pid ?? null,
    },
  });
  try {
    await server.listen(unixSocketTransport, address);
    const client = await connectRpc(unixSocketTransport, address, {
      codec: ndjson,
      requestTimeout: 5000,
    });
    const sum = await client.request('add', [2, 3]);
    assert.equal(sum, 5);
    await assert.rejects(
      client.request('nope'),
      (error) => error instanceof RpcError && error.code === RpcErrorCode.MethodNotFound,
    );
    // Peer credentials come through koffi, loaded lazily by the CommonJS build.
    if (process.platform === 'linux' || process.platform === 'darwin') {
      assert.equal(await client.request('callerPid'), process.pid);
    }
    await client.close();
    // The same server over TCP on loopback, on a port the OS chooses.
    const tcpListener = await server.listen(tcpTransport, '127.0.0.1:0');
    const tcpClient = await connectRpc(tcpTransport, tcpListener.address);
    assert.equal(await tcpClient.request('add', [4, 5]), 9);
    await tcpClient.close();
    await assert.rejects(
      unixSocketTransport.connect(join(dir, 'missing.sock')),
      (error) => error instanceof TransportError && error.code === 'ENOENT',
    );
    if (process.platform !== 'win32') {
      await assert.rejects(namedPipeTransport.listen('localwire-smoke'), {
        code: 'ERR_UNSUPPORTED_PLATFORM',
      });
    }
    console.log(`smoke (CommonJS): add(2, 3) = ${sum} over ${address}`);
  } finally {
    await server.close({ timeout: 1000 });
    rmSync(dir, { recursive: true, force: true });
  }
}

setTimeout(() => {
  console.error('smoke (CommonJS): timed out');
  process.exit(1);
}, 30_000).unref();
main().catch((error) => {
  console.error('smoke (CommonJS): failed:', error);
  process.exitCode = 1;
});
