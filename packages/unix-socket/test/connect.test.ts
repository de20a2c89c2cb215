import { once } from 'node:events';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Connection } from '@localwire/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { unixSocketTransport } from '../src/index.js';
import { type BusyServer, startBusyServer } from './helpers/busy-server.js';
import { useTempDirs } from './helpers/temp-dir.js';

const newDir = useTempDirs();
const busyServers: BusyServer[] = [];
const connections: Connection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.destroy();
  for (const busy of busyServers.splice(0)) await busy.release();
});

describe('connections', () => {
  it('are the net.Sockets themselves, on both ends', async () => {
    const address = join(newDir(), 'plain.sock');
    const listener = await unixSocketTransport.listen(address);
    try {
      const accepted = once(listener, 'connection') as Promise<[Connection]>;
      const client = await unixSocketTransport.connect(address);
      connections.push(client);
      const [server] = await accepted;
      connections.push(server);
      expect(client).toBeInstanceOf(Socket);
      expect(server).toBeInstanceOf(Socket);
      expect(client.peer?.pid).toBe(process.pid);
    } finally {
      await listener.close();
    }
  });
});

describe('connect to a server whose backlog is full', () => {
  it('waits until the server accepts, then connects', async () => {
    const address = join(newDir(), 'busy.sock');
    const busy = await startBusyServer(address);
    busyServers.push(busy);
    let settled = false;
    const connecting = unixSocketTransport.connect(address, { timeout: 60_000 });
    void connecting.finally(() => {
      settled = true;
    });
    // The connect retries while the backlog is full; one turn of the event
    // loop proves it has not failed with EAGAIN.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    busy.resume();
    const connection = await connecting;
    connections.push(connection);
    const echoed = once(connection, 'data');
    connection.write('through');
    expect(String((await echoed)[0])).toBe('through');
  });
});
