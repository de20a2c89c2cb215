import { connectRpc, createRpcServer } from '@localwire/rpc-server';
import { isTransportError, type TransportError } from '@localwire/transport';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tcpTransport, tlsTransport } from '../src/index.js';
import { testPki } from './helpers/certificates.js';

const pki = testPki();

/** An RPC server over mutual TLS on `host`, counting the requests that reach its handler. */
async function startTlsServer(host: string, identity = pki.server) {
  const seen: unknown[] = [];
  const server = createRpcServer({
    methods: {
      whoami: (_: unknown, ctx) => {
        seen.push(ctx.peer);
        return 'hi';
      },
    },
  });
  const listener = await server.listen(tlsTransport({ ...identity, ca: pki.ca }), `${host}:0`);
  onTestFinished(async () => {
    await server.close();
  });
  return { address: listener.address, seen };
}

async function refusal(operation: Promise<unknown>): Promise<TransportError> {
  const err = await operation.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTransportError(err), String(err)).toBe(true);
  return err as TransportError;
}

describe('tls: a client the server does not trust is refused before any request', () => {
  for (const host of ['127.0.0.1', '[::1]']) {
    it(`without a certificate, on ${host}`, async () => {
      const { address, seen } = await startTlsServer(host);
      const client = tlsTransport({ ca: pki.ca });
      const err = await refusal(connectRpc(client, address));
      expect(err.code).toBe('EACCES');
      expect(err.address).toBe(address);
      expect(err.message).toContain(address);
      expect(err.message).toContain('requires a client certificate');
      expect(seen).toEqual([]);
    });

    it(`with a certificate from an untrusted CA, on ${host}`, async () => {
      const { address, seen } = await startTlsServer(host);
      const client = tlsTransport({ ...pki.untrustedClient, ca: pki.ca });
      const err = await refusal(connectRpc(client, address));
      // Node's server finishes the handshake (OpenSSL sends its tickets) and
      // only then drops a client whose certificate does not verify: the
      // client sees the reset at connect (EACCES) or on its first read
      // (ECONNRESET), as it happens to read it. Either way, nothing is served.
      expect(['EACCES', 'ECONNRESET']).toContain(err.code);
      expect(err.message).toContain(address);
      expect(seen).toEqual([]);
    });
  }

  it('a trusted client gets through and the handler sees its certificate', async () => {
    const { address, seen } = await startTlsServer('127.0.0.1');
    const client = await connectRpc(tlsTransport({ ...pki.client, ca: pki.ca }), address);
    onTestFinished(() => client.close());
    expect(await client.request('whoami')).toBe('hi');
    expect(seen).toEqual([expect.objectContaining({ certificateSubject: 'CN=client' })]);
  });
});

describe('tls: the client verifies the server', () => {
  it('refuses a server whose certificate names another host', async () => {
    const { address, seen } = await startTlsServer('127.0.0.1', pki.wrongName);
    const err = await refusal(connectRpc(tlsTransport({ ...pki.client, ca: pki.ca }), address));
    expect(err.code).toBe('EACCES');
    expect(err.message).toContain(address);
    expect(err.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(seen).toEqual([]);
  });

  it('refuses a server signed by a CA it does not trust', async () => {
    const { address, seen } = await startTlsServer('[::1]', pki.untrustedServer);
    const err = await refusal(connectRpc(tlsTransport({ ...pki.client, ca: pki.ca }), address));
    expect(err.code).toBe('EACCES');
    expect(err.message).toContain('not signed by a CA this client trusts');
    expect(seen).toEqual([]);
  });

  it('with servername, accepts a certificate for that name', async () => {
    const { address } = await startTlsServer('127.0.0.1', pki.wrongName);
    const client = await connectRpc(tlsTransport({ ...pki.client, ca: pki.ca }), address, {
      connect: { servername: 'elsewhere.test' },
    });
    onTestFinished(() => client.close());
    expect(await client.request('whoami')).toBe('hi');
  });
});

describe('listen stays on loopback unless allowRemote', () => {
  // Nothing is bound here: the host is refused before any socket exists.
  for (const address of ['0.0.0.0:0', '[::]:0']) {
    it(`refuses ${address} with EACCES`, async () => {
      for (const transport of [tcpTransport, tlsTransport({ ...pki.server, ca: pki.ca })]) {
        const err = await refusal(transport.listen(address));
        expect(err.code).toBe('EACCES');
        expect(err.address).toBe(address);
        expect(err.message).toContain('allowRemote: true');
      }
    });
  }

  it('accepts loopback in every spelling: 127.0.0.1, another 127/8 address, ::1, localhost', async () => {
    for (const address of ['127.0.0.1:0', '[::1]:0', 'localhost:0']) {
      const listener = await tcpTransport.listen(address);
      onTestFinished(() => listener.close());
      expect(listener.address).toMatch(/^(127\.0\.0\.1|\[::1\]):[1-9]\d*$/);
    }
  });

  it('refuses malformed addresses and options with EINVAL', async () => {
    for (const address of ['127.0.0.1', '::1:80', '[127.0.0.1]:80', 'host:99999', ':80']) {
      expect((await refusal(tcpTransport.listen(address))).code).toBe('EINVAL');
      expect((await refusal(tcpTransport.connect(address))).code).toBe('EINVAL');
    }
    const err = await refusal(tcpTransport.listen('127.0.0.1:0', { access: 'user' }));
    expect(err.code).toBe('EINVAL');
    expect(err.message).toContain('every local user');
    const noCert = await refusal(tlsTransport({ ca: pki.ca }).listen('127.0.0.1:0'));
    expect(noCert.message).toContain('cert and key');
    // Mutual TLS against Node's bundled root CAs would let in any client with
    // a certificate a public CA issued: a server that requires client
    // certificates must say whose.
    const noCa = await refusal(tlsTransport({ ...pki.server }).listen('127.0.0.1:0'));
    expect(noCa.code).toBe('EINVAL');
    expect(noCa.message).toContain('127.0.0.1:0');
    expect(noCa.message).toContain('needs ca');
    const open = await tlsTransport({ ...pki.server, requestCert: false }).listen('127.0.0.1:0');
    await open.close();
  });
});
