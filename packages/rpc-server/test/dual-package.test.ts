// The "dual package hazard": one program that loads a package's ESM build and
// its CommonJS build holds two copies of each class, so `instanceof` fails
// across them. isTransportError and isRpcError must not: this suite loads the
// built ESM and CommonJS copies of @localwire/transport and
// @localwire/rpc-server side by side and crosses them.
import { createRequire } from 'node:module';
import * as transportEsm from '@localwire/transport';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempAddress } from './helpers/address.js';
import { transport } from './helpers/transport.js';

type RpcServerPackage = typeof import('../src/index.js');

// This package's own builds, by its name as a consumer loads them (a variable
// specifier: the type checker need not find dist/, which the tests' own
// typecheck runs before).
const rpcServerPackage = '@localwire/rpc-server';
const rpcEsm: RpcServerPackage = await import(rpcServerPackage);
const require = createRequire(import.meta.url);
const rpcCjs: RpcServerPackage = require(rpcServerPackage);
const transportCjs: typeof transportEsm = require('@localwire/transport');

describe('two copies of the packages in one program', () => {
  it('are really two copies (the CommonJS builds are separate classes)', () => {
    expect(require.resolve('@localwire/transport')).toMatch(/[\\/]dist[\\/]cjs[\\/]index\.js$/);
    expect(require.resolve(rpcServerPackage)).toMatch(/[\\/]dist[\\/]cjs[\\/]index\.js$/);
    expect(transportCjs.TransportError).not.toBe(transportEsm.TransportError);
    expect(rpcCjs.RpcError).not.toBe(rpcEsm.RpcError);
    expect(new rpcCjs.RpcError(1, 'x')).not.toBeInstanceOf(rpcEsm.RpcError);
  });

  it("isTransportError knows the other copy's errors, by code too", () => {
    for (const [make, check] of [
      [transportCjs, transportEsm],
      [transportEsm, transportCjs],
    ] as const) {
      const err = new make.TransportError('ENOENT', 'nothing is listening');
      expect(check.isTransportError(err)).toBe(true);
      expect(check.isTransportError(err, 'ENOENT')).toBe(true);
      expect(check.isTransportError(err, 'EACCES')).toBe(false);
    }
  });

  it('isTransportError still refuses look-alikes', () => {
    const lookAlike = Object.assign(new Error('x'), { name: 'TransportError', code: 'ENOENT' });
    expect(transportEsm.isTransportError(lookAlike)).toBe(false);
    expect(transportCjs.isTransportError({ code: 'ENOENT' })).toBe(false);
    expect(transportCjs.isTransportError(null)).toBe(false);
    expect(transportCjs.isTransportError('ENOENT')).toBe(false);
  });

  it("isRpcError knows the other copy's errors, by code too", () => {
    for (const [make, check] of [
      [rpcCjs, rpcEsm],
      [rpcEsm, rpcCjs],
    ] as const) {
      const err = new make.RpcError(-32001, 'not allowed');
      expect(check.isRpcError(err)).toBe(true);
      expect(check.isRpcError(err, -32001)).toBe(true);
      expect(check.isRpcError(err, -32002)).toBe(false);
    }
    expect(rpcEsm.isRpcError(Object.assign(new Error('x'), { code: -32001 }))).toBe(false);
  });

  it("a server answers with the code of the other copy's RpcError a handler throws", async () => {
    const address = tempAddress();
    const server = rpcEsm.createRpcServer({
      methods: {
        guarded: () => {
          throw new rpcCjs.RpcError(-32001, 'not allowed', { who: 'you' });
        },
      },
    });
    await server.listen(transport, address);
    onTestFinished(() => server.close({ timeout: 100 }).then(() => undefined));
    const client = await rpcCjs.connectRpc(transport, address);
    onTestFinished(() => client.close());
    const err = await client.request('guarded').catch((error: unknown) => error);
    // Not `-32603 Internal error`, as when the server's check was `instanceof`.
    expect(err).toMatchObject({ code: -32001, message: 'not allowed', data: { who: 'you' } });
    expect(rpcEsm.isRpcError(err, -32001)).toBe(true);
  });

  it("the transport's own errors pass the other copy's isTransportError", async () => {
    const err = await transport.connect(tempAddress()).catch((error: unknown) => error);
    expect(transportCjs.isTransportError(err, 'ENOENT')).toBe(true);
    expect(transportEsm.isTransportError(err, 'ENOENT')).toBe(true);
  });
});
