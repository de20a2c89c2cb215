/**
 * Who may open the pipe and who is on the other end: the current user's SID,
 * the pipe's security descriptor (built from SDDL), the owner a client checks,
 * and the client's SID a server reads.
 */
import type { Access } from '@localwire/transport';
import { allowedAces } from './acl.js';
import { type Handle, type Out, type Pointer, type SecurityAttributes, win32 } from './bindings.js';
import { Win32CallError } from './win32-errors.js';

const TOKEN_QUERY = 0x0008;
const TOKEN_INFORMATION_CLASS_TokenUser = 1;
const SE_KERNEL_OBJECT = 6;
const OWNER_SECURITY_INFORMATION = 0x1;
const SDDL_REVISION_1 = 1;

/**
 * The rights a localwire client asks for, and all that `access: 'everyone'`
 * grants other users: FILE_GENERIC_READ | FILE_WRITE_DATA |
 * FILE_WRITE_ATTRIBUTES. Not FILE_GENERIC_WRITE: its FILE_APPEND_DATA bit is
 * FILE_CREATE_PIPE_INSTANCE for a pipe, which would let any user add a rogue
 * server instance under our name.
 */
export const CLIENT_ACCESS = 0x0012018b;

/** Reads the user SID (`S-1-5-21-…`) out of an access token. */
function tokenUserSid(token: Handle): string | undefined {
  const w = win32();
  const length: Out<number> = [0];
  w.GetTokenInformation(token, TOKEN_INFORMATION_CLASS_TokenUser, null, 0, length);
  if (length[0] === 0) return undefined;
  // TOKEN_USER starts with a pointer into the same buffer: keep it in stable native memory.
  const buffer = w.koffi.alloc('uint8_t', length[0]) as Pointer;
  try {
    if (
      !w.GetTokenInformation(token, TOKEN_INFORMATION_CLASS_TokenUser, buffer, length[0], length)
    ) {
      return undefined;
    }
    const sid: Out<string | null> = [null];
    return w.ConvertSidToStringSidW(w.koffi.decode(buffer, 'void *'), sid) && sid[0] !== null
      ? sid[0]
      : undefined;
  } finally {
    w.koffi.free(buffer);
  }
}

let currentUser: string | undefined;

/** The SID of the user this process runs as, from its process token. */
export function currentUserSid(): string {
  if (currentUser !== undefined) return currentUser;
  const w = win32();
  const token: Out<Handle> = [0];
  if (!w.OpenProcessToken(w.GetCurrentProcess(), TOKEN_QUERY, token)) {
    throw new Win32CallError('OpenProcessToken', w.GetLastError());
  }
  try {
    const sid = tokenUserSid(token[0]);
    if (sid === undefined) throw new Win32CallError('GetTokenInformation', w.GetLastError());
    currentUser = sid;
    return sid;
  } finally {
    w.CloseHandle(token[0]);
  }
}

/**
 * The SDDL for a listener. The owner is always set (to the current user unless
 * the caller's SDDL names one): Windows would otherwise pick the token's
 * default owner — Administrators when elevated, the primary group under Wine —
 * and clients checking the owner would refuse the server.
 * - `'user'`: full access for the current user and SYSTEM, nobody else.
 * - `'everyone'`: also lets any local user connect ({@link CLIENT_ACCESS}).
 * - `sddl`: the caller's own descriptor.
 */
export function listenerSddl(access: Access, sddl: string | undefined): string {
  const me = currentUserSid();
  if (sddl !== undefined) {
    // Only the top-level components count: `O:` inside an ACE's parentheses is not an owner.
    return /O:/.test(sddl.replace(/\([^)]*\)/g, '')) ? sddl : `O:${me}${sddl}`;
  }
  // D:P = a protected DACL: nothing inherited from a parent widens it.
  const dacl = `D:P(A;;GA;;;${me})(A;;GA;;;SY)`;
  return access === 'everyone'
    ? `O:${me}${dacl}(A;;0x${CLIENT_ACCESS.toString(16)};;;WD)`
    : `O:${me}${dacl}`;
}

/** A self-relative security descriptor, held for every instance a listener creates. */
export interface PipeSecurity {
  /** `SECURITY_ATTRIBUTES` pointing at the descriptor, for `CreateNamedPipeW`. */
  readonly attributes: SecurityAttributes;
  /** The owner SID the descriptor sets: what every instance of our pipe reads back. */
  readonly owner: string | undefined;
  /**
   * What the descriptor lets someone other than its owner (or SYSTEM and
   * Administrators) do that would let them serve instances of the pipe, or
   * `undefined` when it lets nobody else.
   */
  readonly unsafeGrant: string | undefined;
  /** Frees the descriptor; call once, after the last `CreateNamedPipeW`. */
  free(): void;
}

const SYSTEM = 'S-1-5-18';
const ADMINISTRATORS = 'S-1-5-32-544';
/** OWNER RIGHTS: an ACE for whoever owns the object. */
const OWNER_RIGHTS = 'S-1-3-4';
const FILE_CREATE_PIPE_INSTANCE = 0x4;
const WRITE_DAC = 0x40000;
const WRITE_OWNER = 0x80000;
const GENERIC_ALL = 0x10000000;
const GENERIC_WRITE = 0x40000000;
/**
 * Rights that let their holder add server instances to the pipe: directly
 * (GENERIC_WRITE and GENERIC_ALL map to FILE_CREATE_PIPE_INSTANCE), or by
 * rewriting the descriptor to grant it (WRITE_DAC, WRITE_OWNER).
 */
const INSTANCE_RIGHTS =
  FILE_CREATE_PIPE_INSTANCE | WRITE_DAC | WRITE_OWNER | GENERIC_ALL | GENERIC_WRITE;

function sidString(sid: Pointer): string {
  const w = win32();
  const text: Out<string | null> = [null];
  if (!w.ConvertSidToStringSidW(sid, text) || text[0] === null) {
    throw new Win32CallError('ConvertSidToStringSidW', w.GetLastError());
  }
  return text[0];
}

function descriptorOwner(descriptor: Pointer): string | undefined {
  const w = win32();
  const owner: Out<Pointer | null> = [null];
  if (!w.GetSecurityDescriptorOwner(descriptor, owner, [0])) {
    throw new Win32CallError('GetSecurityDescriptorOwner', w.GetLastError());
  }
  return owner[0] === null ? undefined : sidString(owner[0]);
}

/** See {@link PipeSecurity.unsafeGrant}. */
function unsafeGrant(descriptor: Pointer, owner: string | undefined): string | undefined {
  const w = win32();
  const present: Out<number> = [0];
  const dacl: Out<Pointer | null> = [null];
  if (!w.GetSecurityDescriptorDacl(descriptor, present, dacl, [0])) {
    throw new Win32CallError('GetSecurityDescriptorDacl', w.GetLastError());
  }
  // No DACL at all: Windows gives the pipe its default one, which grants others read only.
  if (!present[0]) return undefined;
  if (dacl[0] === null) return 'its DACL is NULL, which grants everyone full access';
  const header = new DataView(w.koffi.view(dacl[0], 8));
  const acl = new Uint8Array(w.koffi.view(dacl[0], header.getUint16(2, true)).slice(0));
  const trusted = new Set([owner, SYSTEM, ADMINISTRATORS, OWNER_RIGHTS]);
  for (const ace of allowedAces(acl)) {
    if (!trusted.has(ace.sid) && (ace.mask & INSTANCE_RIGHTS) !== 0) {
      return `it grants ${ace.sid} 0x${ace.mask.toString(16)}, which includes FILE_CREATE_PIPE_INSTANCE (or the right to grant it: WRITE_DAC, WRITE_OWNER)`;
    }
  }
  return undefined;
}

/**
 * Converts SDDL into a security descriptor.
 * @throws {Win32CallError} for SDDL Windows does not accept.
 */
export function createPipeSecurity(sddl: string): PipeSecurity {
  const w = win32();
  const descriptor: Out<Pointer | null> = [null];
  if (
    !w.ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, descriptor, null)
  ) {
    throw new Win32CallError(
      'ConvertStringSecurityDescriptorToSecurityDescriptorW',
      w.GetLastError(),
    );
  }
  const pointer = descriptor[0]!;
  try {
    const owner = descriptorOwner(pointer);
    return {
      attributes: {
        nLength: w.koffi.sizeof('SECURITY_ATTRIBUTES'),
        lpSecurityDescriptor: pointer,
        bInheritHandle: 0,
      },
      owner,
      unsafeGrant: unsafeGrant(pointer, owner),
      free: () => void w.LocalFree(pointer),
    };
  } catch (err) {
    w.LocalFree(pointer);
    throw err;
  }
}

/**
 * The owner SID of the pipe behind `handle` — a client end (which holds
 * READ_CONTROL through FILE_GENERIC_READ) or a server instance — or `undefined` for a descriptor without an
 * owner (Wine gives pipes created with the default descriptor none).
 * @throws {Win32CallError} when Windows will not tell.
 */
export function pipeOwnerSid(handle: Handle): string | undefined {
  const w = win32();
  const owner: Out<Pointer | null> = [null];
  const descriptor: Out<Pointer | null> = [null];
  const status = w.GetSecurityInfo(
    handle,
    SE_KERNEL_OBJECT,
    OWNER_SECURITY_INFORMATION,
    owner,
    null,
    null,
    null,
    descriptor,
  );
  if (status !== 0) throw new Win32CallError('GetSecurityInfo', status);
  try {
    return owner[0] === null ? undefined : sidString(owner[0]);
  } finally {
    // The owner pointer points into the descriptor: free it only after the conversion.
    w.LocalFree(descriptor[0]!);
  }
}

/**
 * The user SID of the client connected to the server end `pipe`, or
 * `undefined` when the client allowed only anonymous impersonation. The
 * calling thread impersonates the client just long enough to read its token.
 */
export function pipeClientSid(pipe: Handle): string | undefined {
  const w = win32();
  if (!w.ImpersonateNamedPipeClient(pipe)) return undefined;
  try {
    const token: Out<Handle> = [0];
    // openAsSelf: check access to the token as this process, not as the client.
    if (!w.OpenThreadToken(w.GetCurrentThread(), TOKEN_QUERY, 1, token)) return undefined;
    try {
      return tokenUserSid(token[0]);
    } finally {
      w.CloseHandle(token[0]);
    }
  } finally {
    // If reverting fails the JS thread would go on running as the client;
    // the Win32 docs say to stop the process rather than continue.
    if (!w.RevertToSelf()) process.abort();
  }
}
