import net from 'node:net';
import { namedPipeTransport } from '@localwire/named-pipe';
import type { Connection, PeerInfo, Transport } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';

// packages/tcp runs these tests again over TCP and TLS, with its own module in
// place of this one (packages/tcp/vitest.config.mjs): whatever this module
// exports, that one exports too.

/**
 * The transport every rpc-server test runs over: the real one for this OS, so
 * the same tests run over Unix sockets natively and over named pipes under Wine.
 */
export const transport: Transport =
  process.platform === 'win32' ? namedPipeTransport : unixSocketTransport;

/**
 * A socket to `address` without the transport's `connect`: `node:net`'s own,
 * for tests that send what a well-behaved client never would. It emits
 * `'connect'` once connected.
 */
export function connectRaw(address: string): net.Socket {
  return net.connect(address);
}

/**
 * The name `transport` has in this run: `LOCALWIRE_RPC_OVER` when another
 * package runs these tests over its transport, else this OS's own.
 */
export const expectedTransportName: string =
  process.env.LOCALWIRE_RPC_OVER ?? (process.platform === 'win32' ? 'named-pipe' : 'unix-socket');

/**
 * What a server reads as the peer of `client`, a connection this process made
 * with `transport`: this process and its user (on Windows, the SID the client
 * read as the pipe's owner, which is its own).
 */
export function ownPeer(client: Connection): PeerInfo {
  if (process.platform === 'win32') return { pid: process.pid, sid: client.peer?.sid };
  return { pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.() };
}

/** How the server names this process as a peer in its `maxConnectionsPerPeer` refusals. */
export const ownPeerKey: RegExp =
  process.platform === 'win32' ? /SID S-1-[\d-]+/ : new RegExp(`uid ${process.getuid?.()}\\b`);
