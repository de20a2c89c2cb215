import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { PeerInfo } from '@localwire/transport';

type Koffi = typeof import('koffi');
/** Reads the peer's credentials from a connected socket's file descriptor. */
type CredentialReader = (fd: number) => PeerInfo | undefined;

interface Platform {
  fields: ReadonlyArray<keyof PeerInfo>;
  load(koffi: Koffi): CredentialReader;
}

// Linux: getsockopt(fd, SOL_SOCKET, SO_PEERCRED, struct ucred *, socklen_t *).
// The kernel records the peer's pid/euid/egid when it connects (or, for the
// client's view of a server, when the server called listen).
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

const linux: Platform = {
  fields: ['pid', 'uid', 'gid'],
  load(koffi) {
    // dlopen(NULL): libc is already loaded into node, glibc and musl alike.
    // Plain pointers into two Buffers made once: koffi passes a Buffer's
    // memory as is, where a struct argument would be converted from and to
    // a JS object on every call (several times slower, and this runs for
    // every connection on both ends). JS is single-threaded and the call is
    // synchronous, so the buffers are never shared by two reads.
    const getsockopt = koffi.load(null).func('int getsockopt(int, int, int, void *, void *)');
    const ucred = Buffer.alloc(12); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
    const length = Buffer.alloc(4); // socklen_t
    const fields = new Int32Array(ucred.buffer, ucred.byteOffset, 3);
    const lengthField = new Uint32Array(length.buffer, length.byteOffset, 1);
    return (fd) => {
      lengthField[0] = ucred.length;
      if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, length) !== 0) return undefined;
      return { pid: fields[0]!, uid: fields[1]! >>> 0, gid: fields[2]! >>> 0 };
    };
  },
};

// macOS (<sys/un.h>, <sys/ucred.h>): level SOL_LOCAL; LOCAL_PEERCRED fills a
// struct xucred (effective uid, groups[0] is the effective gid) and
// LOCAL_PEERPID the pid. Written from the headers; not run in CI (Linux only).
const SOL_LOCAL = 0;
const LOCAL_PEERCRED = 1;
const LOCAL_PEERPID = 2;
const XUCRED_VERSION = 0;
const NGROUPS = 16;

const darwin: Platform = {
  fields: ['pid', 'uid', 'gid'],
  load(koffi) {
    const xucred = koffi.struct({
      cr_version: 'uint32',
      cr_uid: 'uint32',
      cr_ngroups: 'int16',
      cr_groups: koffi.array('uint32', NGROUPS),
    });
    const libSystem = koffi.load('/usr/lib/libSystem.B.dylib');
    const length = koffi.inout(koffi.pointer('uint32'));
    const getCred = libSystem.func('getsockopt', 'int', [
      'int',
      'int',
      'int',
      koffi.out(koffi.pointer(xucred)),
      length,
    ]);
    const getPid = libSystem.func('getsockopt', 'int', [
      'int',
      'int',
      'int',
      koffi.out(koffi.pointer('int32')),
      length,
    ]);
    return (fd) => {
      const cred = { cr_version: -1, cr_uid: 0, cr_ngroups: 0, cr_groups: [] as number[] };
      const pid = [0];
      if (
        getCred(fd, SOL_LOCAL, LOCAL_PEERCRED, cred, [koffi.sizeof(xucred)]) !== 0 ||
        cred.cr_version !== XUCRED_VERSION ||
        cred.cr_ngroups < 1 ||
        getPid(fd, SOL_LOCAL, LOCAL_PEERPID, pid, [4]) !== 0
      ) {
        return undefined;
      }
      return { pid: pid[0], uid: cred.cr_uid, gid: cred.cr_groups[0] };
    };
  },
};

const platforms: Partial<Record<NodeJS.Platform, Platform>> = { linux, darwin };

let reader: CredentialReader | null | undefined;

/** Loads koffi and binds `getsockopt` on first use; `null` where that is impossible. */
function credentialReader(): CredentialReader | null {
  if (reader !== undefined) return reader;
  const platform = platforms[process.platform];
  try {
    reader = platform ? platform.load(createRequire(import.meta.url)('koffi') as Koffi) : null;
  } catch {
    // No koffi build for this machine, or no getsockopt: peers stay unknown.
    reader = null;
  }
  return reader;
}

/** The {@link PeerInfo} fields {@link readPeerCredentials} fills in on this OS. */
export function peerCredentialFields(): ReadonlyArray<keyof PeerInfo> {
  return credentialReader() ? (platforms[process.platform]?.fields ?? []) : [];
}

/**
 * The credentials read last, frozen: connections from the same process
 * (a client's pool, say) share one object, rather than one each.
 */
let last: PeerInfo | undefined;

function samePeer(a: PeerInfo, b: PeerInfo): boolean {
  return a.pid === b.pid && a.uid === b.uid && a.gid === b.gid;
}

/**
 * The credentials of the process at the other end of a connected Unix socket,
 * or `undefined` where the OS or koffi cannot tell. Read it while the socket
 * is open: it needs the file descriptor.
 */
export function readPeerCredentials(socket: Socket): PeerInfo | undefined {
  const read = credentialReader();
  // `_handle.fd` is libuv's descriptor for the socket; Node has no public API for it.
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (!read || typeof fd !== 'number' || fd < 0) return undefined;
  const info = read(fd);
  if (info === undefined) return undefined;
  if (last === undefined || !samePeer(info, last)) last = Object.freeze(info);
  return last;
}
