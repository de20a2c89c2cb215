/**
 * The data plane: a connected pipe HANDLE becomes a `net.Socket`, so every
 * read and write runs on libuv's I/O completion port and the connection is a
 * plain Node Duplex with backpressure.
 */
import net from 'node:net';
import type { Connection, PeerInfo } from '@localwire/transport';
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
 * A pipe connection. Byte-mode pipes have no half-close, and libuv's stand-in
 * for one is a race: after `end()` it closes the handle as soon as nothing
 * arrives for 50 ms, dropping any reply that takes longer. So here `end()`
 * only finishes writing: this side can still read, and the peer sees EOF once
 * this side is destroyed (`end(() => destroy())` closes once the writes are
 * out) or the peer closes its own end.
 */
class PipeSocket extends net.Socket implements Connection {
  readonly peer: PeerInfo;
  /** Byte-mode pipes cannot half-close (`capabilities.halfClose`). */
  readonly halfClose = false;

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
 * libuv owns the handle: destroying the socket closes it. If libuv cannot
 * take it, it is closed here.
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
  return new PipeSocket(fd, peer);
}
