/**
 * Loopback TCP addresses for the `tcp://` and `tls://` tests. (Their
 * certificates come from tools/test-pki, as files, since the CLI reads them
 * from `--cert`, `--key` and `--ca`.)
 */
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback address only: the tests never listen on any other. */
export type LoopbackHost = '127.0.0.1' | '::1';

/**
 * `<scheme>://<host>:<port>` (`[::1]` for IPv6) at a port that was free a
 * moment ago: the OS chose it for a listen on port 0, which was then closed.
 */
export async function freeTcpAddress(scheme: 'tcp' | 'tls', host: LoopbackHost): Promise<string> {
  const server = createServer();
  server.listen({ host, port: 0, exclusive: true });
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return `${scheme}://${host === '::1' ? `[${host}]` : host}:${port}`;
}
