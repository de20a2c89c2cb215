/**
 * Issue 7, "who may connect" on Windows: every instance refuses remote
 * clients whatever the listen options, and a bad name leaves no pipe behind.
 *
 * PIPE_REJECT_REMOTE_CLIENTS cannot be read back: neither GetNamedPipeInfo
 * nor GetNamedPipeHandleState reports it (on Windows, and under Wine 8, where
 * an instance created with the flag reads back exactly like one without — the
 * first test checks that). So the tests assert on the modes the package
 * actually passes to CreateNamedPipeW (`pipeInstanceModes`, which
 * `createPipeInstance` calls), for the first and every later instance, and
 * that every combination of listen options serves local clients.
 */
import { isTransportError } from '@localwire/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { INVALID_HANDLE_VALUE, type Out, win32 } from '../../src/bindings.js';
import { namedPipeTransport } from '../../src/index.js';
import { PIPE_REJECT_REMOTE_CLIENTS, pipeInstanceModes } from '../../src/instance.js';
import { echo, pipeName, roundTrip } from './helpers.js';

const ERROR_FILE_NOT_FOUND = 2;
const ERROR_PATH_NOT_FOUND = 3;
const FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
const FILE_FLAG_OVERLAPPED = 0x40000000;
const PIPE_ACCESS_DUPLEX = 0x3;
/** The high bits of dwPipeMode CreateNamedPipeW knows besides the type/read/wait bits. */
const PIPE_ACCEPT_REMOTE_CLIENTS = 0x0;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let readBack:
  | {
      info: (
        pipe: number,
        flags: Out<number>,
        o: Out<number>,
        i: Out<number>,
        m: Out<number>,
      ) => number;
      state: (pipe: number, state: Out<number>, instances: Out<number>) => number;
    }
  | undefined;

/** What Windows tells about a server handle: GetNamedPipeInfo's flags and GetNamedPipeHandleState's state. */
function describePipe(pipe: number): { flags: number; state: number } {
  const w = win32();
  const kernel32 = w.koffi.load('kernel32.dll');
  readBack ??= {
    info: kernel32.func(
      'int __stdcall GetNamedPipeInfo(intptr_t pipe, _Out_ uint32_t *flags, _Out_ uint32_t *outSize, _Out_ uint32_t *inSize, _Out_ uint32_t *maxInstances)',
    ),
    state: (() => {
      const f = kernel32.func(
        'int __stdcall GetNamedPipeHandleStateW(intptr_t pipe, _Out_ uint32_t *state, _Out_ uint32_t *instances, void *a, void *b, void *c, uint32_t d)',
      );
      return (pipe: number, state: Out<number>, instances: Out<number>) =>
        f(pipe, state, instances, null, null, null, 0);
    })(),
  };
  const flags: Out<number> = [0];
  const state: Out<number> = [0];
  expect(readBack.info(pipe, flags, [0], [0], [0])).not.toBe(0);
  expect(readBack.state(pipe, state, [0])).not.toBe(0);
  return { flags: flags[0], state: state[0] };
}

/** `WaitNamedPipeW(name, 1)`: looks without connecting; ERROR_FILE_NOT_FOUND means no such pipe. */
function probeError(name: string): number {
  const w = win32();
  expect(w.WaitNamedPipeW(name, 1), name).toBe(0);
  return w.GetLastError();
}

describe('PIPE_REJECT_REMOTE_CLIENTS', () => {
  it('cannot be read back: an instance with the flag reads back like one without', () => {
    const w = win32();
    const describe = (pipeMode: number) => {
      const name = pipeName('readback');
      const pipe = w.CreateNamedPipeW(
        name,
        PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
        pipeMode,
        1,
        4096,
        4096,
        0,
        null as never,
      );
      expect(pipe).not.toBe(INVALID_HANDLE_VALUE);
      try {
        return describePipe(pipe);
      } finally {
        w.CloseHandle(pipe);
      }
    };
    // Were this ever to differ, read the flag back instead of asserting on the modes.
    expect(describe(PIPE_REJECT_REMOTE_CLIENTS)).toEqual(describe(PIPE_ACCEPT_REMOTE_CLIENTS));
  });

  it('is in the pipe mode of the first and of every later instance, which no listen option changes', () => {
    for (const first of [true, false]) {
      const { openMode, pipeMode } = pipeInstanceModes(first);
      expect(pipeMode & PIPE_REJECT_REMOTE_CLIENTS).toBe(PIPE_REJECT_REMOTE_CLIENTS);
      // Byte type, byte read mode, blocking: nothing else in the pipe mode.
      expect(pipeMode).toBe(PIPE_REJECT_REMOTE_CLIENTS);
      expect(openMode & (PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED)).toBe(
        PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
      );
      expect(openMode & FILE_FLAG_FIRST_PIPE_INSTANCE).toBe(
        first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0,
      );
    }
  });

  it('every combination of access, securityDescriptor and pendingInstances listens and serves a local client', async () => {
    const securities = [
      {},
      { access: 'user' as const },
      { access: 'everyone' as const },
      {
        securityDescriptor: 'D:P(A;;GA;;;SY)(A;;GA;;;BU)(A;;GA;;;WD)',
        allowInsecureDescriptor: true,
      },
    ];
    for (const security of securities) {
      for (const pendingInstances of [1, 3, 64]) {
        const name = pipeName('combo');
        const listener = echo(
          await namedPipeTransport.listen(name, { ...security, pendingInstances }),
        );
        cleanups.push(() => listener.close());
        // More clients than pending instances: later instances are created (with the same modes) as clients arrive.
        const clients = await Promise.all(
          [1, 2, 3, 4].map(() => namedPipeTransport.connect(name, { timeout: 10_000 })),
        );
        for (const client of clients) cleanups.push(() => client.destroy());
        const texts = await Promise.all(clients.map((c, i) => roundTrip(c, `c${i}`)));
        expect(texts, JSON.stringify({ ...security, pendingInstances })).toEqual([
          'c0',
          'c1',
          'c2',
          'c3',
        ]);
      }
    }
  });
});

describe('bad pipe names', () => {
  it('give EINVAL and leave no pipe behind (WaitNamedPipeW finds nothing)', async () => {
    const unique = pipeName('bad').slice('\\\\.\\pipe\\'.length);
    // [the name given to listen, the local pipe a lax listener could have created from it]
    const cases: Array<[string, string]> = [
      ['', `\\\\.\\pipe\\`],
      [unique, `\\\\.\\pipe\\${unique}`],
      [`\\\\.\\${unique}`, `\\\\.\\pipe\\${unique}`],
      ['\\\\.\\pipe\\', `\\\\.\\pipe\\`],
      [`\\\\remote-host\\pipe\\${unique}`, `\\\\.\\pipe\\${unique}`],
      [`\\\\.\\pipe\\${unique}-${'x'.repeat(250)}`, `\\\\.\\pipe\\${unique}-${'x'.repeat(250)}`],
    ];
    for (const [name, local] of cases) {
      const err = await namedPipeTransport.listen(name).catch((e: unknown) => e);
      expect(isTransportError(err, 'EINVAL'), name).toBe(true);
      if (local.length > 256) {
        // A name longer than Windows allows cannot exist: Wine answers ERROR_PATH_NOT_FOUND.
        expect([ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND], local).toContain(probeError(local));
      } else if (local !== '\\\\.\\pipe\\') {
        expect(probeError(local), local).toBe(ERROR_FILE_NOT_FOUND);
      }
      expect(probeError(`\\\\.\\pipe\\${unique}`)).toBe(ERROR_FILE_NOT_FOUND);
    }
  });
});
