/**
 * Test helpers that talk to Windows directly (through the package's own koffi
 * bindings): reading a pipe's security back, and holding a pipe busy.
 */
import type { Duplex } from 'node:stream';
import type { Listener } from '@localwire/transport';
import {
  type Handle,
  INVALID_HANDLE_VALUE,
  type Out,
  type Pointer,
  win32,
} from '../../src/bindings.js';
import { ConnectOperation } from '../../src/instance.js';
import { createPipeSecurity, listenerSddl } from '../../src/security.js';

let counter = 0;

/** A fresh pipe name nobody else uses. */
export function pipeName(label = 'test'): string {
  counter += 1;
  return `\\\\.\\pipe\\localwire-${label}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Echoes every byte back on each connection the listener accepts. */
export function echo(listener: Listener): Listener {
  listener.on('connection', (connection) => {
    connection.on('error', () => {});
    connection.pipe(connection);
  });
  return listener;
}

/** Writes `text` and resolves with the first `text.length` bytes that come back. */
export async function roundTrip(connection: Duplex, text: string): Promise<string> {
  let received = '';
  const done = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      received += chunk.toString();
      if (received.length >= text.length) {
        connection.off('data', onData);
        resolve(received);
      }
    };
    connection.on('data', onData);
    connection.once('error', reject);
  });
  connection.write(text);
  return done;
}

const GENERIC_READ = 0x80000000;
const READ_CONTROL = 0x00020000;
const OPEN_EXISTING = 3;
const SE_KERNEL_OBJECT = 6;
const OWNER_AND_DACL = 0x1 | 0x4;

let convertToSddl:
  | ((
      descriptor: Pointer,
      revision: number,
      info: number,
      sddl: Out<string | null>,
      length: null,
    ) => number)
  | undefined;

/**
 * The owner and DACL of the pipe `name`, as SDDL, read back with
 * `GetSecurityInfo` on a handle opened for `READ_CONTROL` only (which takes a
 * server instance, as any client does).
 */
export function readPipeSecurity(name: string): string {
  const w = win32();
  convertToSddl ??= w.koffi
    .load('advapi32.dll')
    .func(
      'int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *descriptor, uint32_t revision, uint32_t info, _Out_ LocalWideString *sddl, _Out_ uint32_t *length)',
    );
  const handle = w.CreateFileW(name, READ_CONTROL, 0, null, OPEN_EXISTING, 0, 0);
  if (handle === INVALID_HANDLE_VALUE) throw new Error(`CreateFileW failed: ${w.GetLastError()}`);
  try {
    const descriptor: Out<Pointer | null> = [null];
    const owner: Out<Pointer | null> = [null];
    const dacl: Out<Pointer | null> = [null];
    const status = w.GetSecurityInfo(
      handle,
      SE_KERNEL_OBJECT,
      OWNER_AND_DACL,
      owner,
      null,
      dacl,
      null,
      descriptor,
    );
    if (status !== 0) throw new Error(`GetSecurityInfo failed: ${status}`);
    try {
      const sddl: Out<string | null> = [null];
      if (!convertToSddl(descriptor[0]!, 1, OWNER_AND_DACL, sddl, null)) {
        throw new Error(
          `ConvertSecurityDescriptorToStringSecurityDescriptorW failed: ${w.GetLastError()}`,
        );
      }
      return sddl[0]!;
    } finally {
      w.LocalFree(descriptor[0]!);
    }
  } finally {
    w.CloseHandle(handle);
  }
}

/** The SIDs the ACEs of an SDDL string's DACL name, in order. */
export function aceSids(sddl: string): string[] {
  const dacl = sddl.slice(sddl.indexOf('D:'));
  return [...dacl.matchAll(/\(([^)]*)\)/g)].map((ace) => ace[1]!.split(';')[5]!);
}

/** The access mask each ACE grants, by SID. */
export function aceRights(sddl: string): Map<string, string> {
  const dacl = sddl.slice(sddl.indexOf('D:'));
  return new Map(
    [...dacl.matchAll(/\(([^)]*)\)/g)].map((ace) => {
      const fields = ace[1]!.split(';');
      return [fields[5]!, fields[2]!] as const;
    }),
  );
}

/** A raw pipe server whose only instance a raw client holds. */
export interface BusyPipe {
  /** Closes the client and the server: the name disappears. */
  release(): void;
  /** Disconnects the holding client and listens again: the next client gets in. */
  freeInstance(): void;
}

/**
 * Makes `name` busy: a server with at most one instance (owned by the current
 * user, so the owner check passes), taken by a client that never lets go.
 */
export function holdBusyPipe(name: string): BusyPipe {
  const w = win32();
  const security = createPipeSecurity(listenerSddl('user', undefined));
  // Duplex and overlapped, byte mode, one instance at most: a second client meets ERROR_PIPE_BUSY.
  const server = w.CreateNamedPipeW(name, 0x40000003, 0x8, 1, 4096, 4096, 0, security.attributes);
  security.free();
  if (server === INVALID_HANDLE_VALUE)
    throw new Error(`CreateNamedPipeW failed: ${w.GetLastError()}`);
  let client: Handle = w.CreateFileW(name, GENERIC_READ, 0, null, OPEN_EXISTING, 0, 0);
  if (client === INVALID_HANDLE_VALUE) {
    w.CloseHandle(server);
    throw new Error(`CreateFileW failed: ${w.GetLastError()}`);
  }
  return {
    release() {
      if (client !== INVALID_HANDLE_VALUE) w.CloseHandle(client);
      client = INVALID_HANDLE_VALUE;
      w.CloseHandle(server);
    },
    freeInstance() {
      w.CloseHandle(client);
      client = INVALID_HANDLE_VALUE;
      // Disconnected, the instance takes no client until ConnectNamedPipe listens again.
      w.DisconnectNamedPipe(server);
      const connect = ConnectOperation.create();
      if (connect.start(server) === 'pending') connect.whenDone(() => connect.free());
      else connect.free();
    },
  };
}
