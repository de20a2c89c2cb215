/**
 * A localwire JSON-RPC server over named pipes in its own node.exe process,
 * for the Windows reliability tests (not a test file: scripts/test-windows.sh
 * compiles it with the tests, and pipe-load.test.ts spawns the compiled .js).
 *
 *   node pipe-server.js <pipe name>
 *
 * Methods: `echo` (returns its params), `note` (the same, counted apart: the
 * slow reader's method) and `slow` ([ms]: answers after ms).
 *
 * Prints {"listening":true,"pid":…}, then answers commands on stdin, one JSON
 * object a line, with one JSON line each:
 *   {"cmd":"stats","handles":bool} -> {"connections","accepted","handled","noted",
 *                       "paused","received","handles","via","rss","errors"}
 *   (`handles` is -1 and `via` "not counted" unless asked for)
 * `handled` counts every call started, `paused` the open connections the
 * server has stopped reading from, `received` the bytes read from the open
 * connections. It exits when stdin closes.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { namedPipeTransport } from '@localwire/named-pipe';
import type { Connection } from '@localwire/transport';
import { createRpcServer } from '../../../src/index.js';

interface KoffiLibrary {
  func(prototype: string): (...args: unknown[]) => number;
}
const koffi = createRequire(import.meta.url)('koffi') as { load(name: string): KoffiLibrary };
const kernel32 = koffi.load('kernel32.dll');
const GetCurrentProcess = kernel32.func('intptr_t __stdcall GetCurrentProcess()');
const GetProcessHandleCount = kernel32.func(
  'int __stdcall GetProcessHandleCount(intptr_t process, _Out_ uint32_t *count)',
);
const GetHandleInformation = kernel32.func(
  'int __stdcall GetHandleInformation(intptr_t handle, _Out_ uint32_t *flags)',
);

/** Handle values are multiples of 4; the scan goes this many slots past the highest seen open. */
const SCAN_MARGIN = 1024;
/** The highest handle value seen open in this process. */
let highestHandle = 0;

/**
 * How many handles this process holds. `GetProcessHandleCount` answers on
 * Windows; Wine (8 and 10) implements it as a stub that reports 0, so there
 * every handle value is asked with `GetHandleInformation`, which fails for a
 * value that is not open. Wine gives out the lowest free slot, so the highest
 * value grows one slot at a time and the scan stops `SCAN_MARGIN` slots past
 * it. (`NtQuerySystemInformation(SystemHandleInformation)`, which counted
 * them under Wine 8, never returns when called through koffi under Wine 10.)
 */
function handleCount(): { handles: number; via: string } {
  const count: [number] = [0];
  if (GetProcessHandleCount(GetCurrentProcess(), count) && count[0] > 0) {
    return { handles: count[0], via: 'GetProcessHandleCount' };
  }
  const flags: [number] = [0];
  let handles = 0;
  for (let value = 4; value <= highestHandle + SCAN_MARGIN * 4; value += 4) {
    if (GetHandleInformation(value, flags)) {
      handles++;
      if (value > highestHandle) highestHandle = value;
    }
  }
  return { handles, via: 'GetHandleInformation scan' };
}

const [, , address] = process.argv;
if (address === undefined) throw new Error('usage: node pipe-server.js <pipe name>');

let handled = 0;
/** Calls of `note`. */
let noted = 0;
let accepted = 0;
/** A named-pipe connection: a `net.Socket`, which counts the bytes it read. */
type PipeConnection = Connection & { readonly bytesRead: number };
/** Open connections, to count those the server has paused (stopped reading from). */
const open = new Set<PipeConnection>();
const errors: string[] = [];
const server = createRpcServer({
  methods: {
    echo: (params: unknown) => {
      handled++;
      return params;
    },
    note: (params: unknown) => {
      handled++;
      noted++;
      return params;
    },
    slow: async ([ms]: [number]) => {
      handled++;
      await sleep(ms);
      return ms;
    },
  },
  onError: (error) => {
    if (errors.length < 20) errors.push(String(error));
  },
});
const listener = await server.listen(namedPipeTransport, address, { pendingInstances: 16 });
listener.on('connection', (connection) => {
  const pipe = connection as PipeConnection;
  accepted++;
  open.add(pipe);
  pipe.once('close', () => open.delete(pipe));
});
console.log(JSON.stringify({ listening: true, pid: process.pid }));

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { cmd: string; handles?: boolean };
  if (command.cmd === 'stats') {
    console.log(
      JSON.stringify({
        connections: server.connections,
        accepted,
        handled,
        noted,
        paused: [...open].filter((connection) => connection.isPaused()).length,
        received: [...open].reduce((sum, connection) => sum + connection.bytesRead, 0),
        ...(command.handles ? handleCount() : { handles: -1, via: 'not counted' }),
        rss: process.memoryUsage().rss,
        errors,
      }),
    );
  }
}
await server.close({ timeout: 1000 });
process.exit(0);
