// The packed @localwire/* tarballs, installed into an ESM project: every
// import must load the ESM build and a real JSON-RPC call must work over a
// Unix socket. Run by scripts/check-packages.mjs; exits non-zero on failure.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namedPipeTransport } from '@localwire/named-pipe';
import {
  connectRpc,
  createRpcServer,
  isRpcError,
  RpcError,
  RpcErrorCode,
} from '@localwire/rpc-server';
import { tcpTransport } from '@localwire/tcp';
import { isTransportError, TransportError } from '@localwire/transport';
import { ndjson } from '@localwire/transport/framing';
import { unixSocketTransport } from '@localwire/unix-socket';

setTimeout(() => {
  console.error('smoke (ESM): timed out');
  process.exit(1);
}, 30_000).unref();

for (const name of [
  'transport',
  'transport/author',
  'transport/framing',
  'unix-socket',
  'named-pipe',
  'rpc-server',
  'tcp',
]) {
  const url = import.meta.resolve(`@localwire/${name}`);
  assert.match(url, /\/dist\/(?!cjs\/)/, name);
}

// The dual package hazard: the CommonJS build of the same packages, loaded
// into this ESM program, has its own classes; the is* checks know both.
const require = createRequire(import.meta.url);
const cjsTransport = require('@localwire/transport');
const cjsRpc = require('@localwire/rpc-server');
assert.notEqual(cjsTransport.TransportError, TransportError);
assert.notEqual(cjsRpc.RpcError, RpcError);

const dir = mkdtempSync(join(tmpdir(), 'localwire-smoke-'));
const address = join(dir, 'rpc.sock');
const server = createRpcServer({
  methods: {
    add: ([a, b]) => a + b,
    callerPid: (_params, context) => context.peer?.pid ?? null,
    guarded: () => {
      throw new cjsRpc.RpcError(-32001, 'not allowed');
    },
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
  if (process.platform === 'linux' || process.platform === 'darwin') {
    assert.equal(await client.request('callerPid'), process.pid);
  }
  // An RpcError of the CommonJS copy, thrown by a handler of the ESM server.
  await assert.rejects(client.request('guarded'), (error) => isRpcError(error, -32001));
  await client.close();
  // The same server over TCP on loopback, on a port the OS chooses.
  const tcpListener = await server.listen(tcpTransport, '127.0.0.1:0');
  const tcpClient = await connectRpc(tcpTransport, tcpListener.address);
  assert.equal(await tcpClient.request('add', [4, 5]), 9);
  await tcpClient.close();
  await assert.rejects(
    unixSocketTransport.connect(join(dir, 'missing.sock')),
    (error) =>
      error instanceof TransportError &&
      isTransportError(error, 'ENOENT') &&
      cjsTransport.isTransportError(error, 'ENOENT'),
  );
  if (process.platform !== 'win32') {
    await assert.rejects(namedPipeTransport.listen('localwire-smoke'), {
      code: 'ERR_UNSUPPORTED_PLATFORM',
    });
  }
  console.log(`smoke (ESM): add(2, 3) = ${sum} over ${address}`);
} finally {
  await server.close({ timeout: 1000 });
  rmSync(dir, { recursive: true, force: true });
}
