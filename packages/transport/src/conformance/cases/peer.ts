import { expect } from 'vitest';
import type { Connection, PeerInfo } from '../../types.js';
import { nextConnection, type Suite } from '../suite.js';

const FIELDS: ReadonlyArray<keyof PeerInfo> = ['pid', 'uid', 'gid', 'sid'];

/** Peer credentials, as `capabilities.peerCredentials` declares them. */
export function peerCases(suite: Suite): void {
  suite.test('both ends see the peer fields capabilities.peerCredentials declares', async () => {
    const h = suite.harness();
    const declared = h.transport.capabilities.peerCredentials;
    const address = h.address();
    const listener = await h.listen(address);
    const accepted = nextConnection(listener);
    const client = await h.connect(address);
    const server = await accepted;
    // Client and server are this process, so each sees its own credentials.
    for (const [side, connection] of [
      ['accepted', server],
      ['client', client],
    ] as const) {
      expectPeer(side, connection, declared);
    }
  });
}

function expectPeer(
  side: string,
  connection: Connection,
  declared: ReadonlyArray<keyof PeerInfo>,
): void {
  const peer = connection.peer;
  if (declared.length === 0) {
    expect(peer, `${side}: no peer fields are declared`).toBeUndefined();
    return;
  }
  // Every declared field, the OS ones below and any other (a network address, say).
  for (const field of declared) expect(peer?.[field], `${side}: peer.${field}`).toBeDefined();
  for (const field of FIELDS) {
    const shown = `${side} connection's peer.${field}`;
    if (declared.includes(field)) expect(peer?.[field], shown).toBeDefined();
    else expect(peer?.[field], `${shown} is not declared`).toBeUndefined();
  }
  if (declared.includes('pid')) expect(peer?.pid).toBe(process.pid);
  if (declared.includes('uid') && process.geteuid) expect(peer?.uid).toBe(process.geteuid());
  if (declared.includes('gid') && process.getegid) expect(peer?.gid).toBe(process.getegid());
  if (declared.includes('sid')) expect(peer?.sid).toMatch(/^S-1-\d+(-\d+)+$/);
}
