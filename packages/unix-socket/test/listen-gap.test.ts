import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLine, spawnFixture } from './helpers/child.js';
import { useEchoListen } from './helpers/listen.js';
import { useTempDirs } from './helpers/temp-dir.js';

/**
 * Issue 13, defect 2: a client that connects as soon as the socket is
 * reachable — before `listen` has resolved — reaches the caller's
 * `connection` handler like any other, instead of being handed out before
 * anyone listens and hanging.
 */

const newDir = useTempDirs();
const listen = useEchoListen();

describe('a client connecting while listen is still binding', () => {
  it('is held until the listener is returned, then served', async () => {
    for (let round = 0; round < 20; round++) {
      const address = join(newDir(), 'early.sock');
      // Runs as us: it connects with plain node:net to our 0600 socket.
      const client = spawnFixture('connect-early.mjs', [address], { asNobody: false });
      expect(await readLine(client)).toBe('ready');
      await listen(address); // adds the echo handler once listen resolves
      expect(await readLine(client)).toBe('echoed');
      await once(client, 'exit');
    }
  });
});
