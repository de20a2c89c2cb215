/**
 * The data plane: a connected pipe HANDLE becomes a `net.Socket`, so every
 * read and write runs on libuv's I/O completion port and the connection is a
 * plain Node Duplex with backpressure.
 */
import { closeSync } from 'node:fs';
import type { Connection, PeerInfo } from '@localwire/transport';
import { DirectReadSocket } from '@localwire/transport/author';
import { type Handle, type Out, win32 } from './bindings.js';
import { pipeClientSid } from './security.js';
import { ERROR_TOO_MANY_OPEN_FILES, Win32CallError } from './win32-errors.js';

/**
 * Who connected to the server end `pipe`: the client's process id and, when
 * the client allows identification, its user SID.
 */
export function clientPeer(pipe: Handle): PeerInfo {
  const pid: Out<number> = [0];
  const sid = pipeClientSid(pipe);
  return {
    ...(win32().GetNamedPipeClientProcessId(pipe, pid) ? { pid: pid[0] } : {}),
    ...(sid === undefined ? {} : { sid }),
  };
}

/**
 * Who serves the client end `pipe`: the server's process id, and the pipe
 * owner's SID (a localwire server makes its user the owner).
 */
export function serverPeer(pipe: Handle, ownerSid: string | undefined): PeerInfo {
  const pid: Out<number> = [0];
  return {
    ...(win32().GetNamedPipeServerProcessId(pipe, pid) ? { pid: pid[0] } : {}),
    ...(ownerSid === undefined ? {} : { sid: ownerSid }),
  };
}

/**
 * What a writer of many small messages should gather into one write here
 * ({@link Connection.preferredWriteSize}). Each write to a pipe is a
 * `WriteFile` and a completion on libuv's I/O completion port, dearer than a
 * Unix socket's `write(2)` (under Wine, also a round trip to wineserver).
 * Pipelined RPC calls under Wine 8 ran about 11 % faster with answers and
 * requests gathered into 16 KiB writes than into rpc-server's 4 KiB (1.08×
 * to 1.20× the floor on Node's own pipe); 64 KiB was no faster. Well within
 * the pipe's 64 KiB buffer (instance.ts), so the peer still reads one write
 * while the next is gathered.
 */
const PREFERRED_WRITE_SIZE = 16 * 1024;

/**
 * A pipe connection. Byte-mode pipes have no half-close, and libuv's stand-in
 * for one is a race: after `end()` it closes the handle as soon as nothing
 * arrives for 50 ms, dropping any reply that takes longer. So here `end()`
 * only finishes writing: this side can still read, and the peer sees EOF once
 * this side is destroyed (`end(() => destroy())` closes once the writes are
 * out) or the peer closes its own end.
 *
 * A {@link DirectReadSocket}, whose fixed read buffer matters here beyond
 * speed: libuv sizes each pipe read by what PeekNamedPipe reports
 * available, and that count includes a peer's pending write whole (a
 * 100 MiB write shows as 100 MiB available), so Node's own pipe sockets
 * take in all a peer has written in one read, paused or not, and
 * backpressure bounds nothing. The fixed buffer caps each ReadFile; the rest
 * stays with the writer until this side reads on.
 */
class PipeSocket extends DirectReadSocket implements Connection {
  readonly peer: PeerInfo;
  /** Byte-mode pipes cannot half-close (`capabilities.halfClose`). */
  readonly halfClose = false;
  readonly preferredWriteSize = PREFERRED_WRITE_SIZE;

  constructor(fd: number, peer: PeerInfo) {
    super({ fd, readable: true, writable: true });
    this.peer = peer;
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback();
  }
}

/**
 * Hands `handle` to libuv and returns it as a {@link Connection}. From here
 * libuv owns the handle: destroying the socket closes it. If this fails, the
 * handle is closed here: the caller must not close it again.
 * @throws {Win32CallError} when the C runtime has no fd left.
 */
export function toConnection(handle: Handle, peer: PeerInfo): Connection {
  const w = win32();
  // node.exe exports libuv: the HANDLE becomes a C runtime fd that net.Socket opens as a pipe.
  const fd = w.uv_open_osfhandle(handle);
  if (fd < 0) {
    w.CloseHandle(handle);
    throw new Win32CallError('uv_open_osfhandle', ERROR_TOO_MANY_OPEN_FILES);
  }
  try {
    return new PipeSocket(fd, peer);
  } catch (err) {
    // The fd owns the handle now: closing it closes the handle.
    closeSync(fd);
    throw err;
  }
}
