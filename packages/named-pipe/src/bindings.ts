/**
 * The Win32 functions this package calls, declared once through koffi and
 * loaded on first use — never at import time, so the package imports cleanly
 * on every OS. Handles are `intptr_t` numbers; pointers are koffi 3's BigInts.
 */
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';

/** A Win32 `HANDLE`, as a number. */
export type Handle = number;
/** A native pointer: koffi 3 passes and returns pointers as BigInts (`null` for NULL). */
export type Pointer = bigint;
/** One-element array a koffi `_Out_` parameter writes into. */
export type Out<T> = [T];

/** `INVALID_HANDLE_VALUE`: what `CreateFileW`/`CreateNamedPipeW` return on failure. */
export const INVALID_HANDLE_VALUE = -1;

/** `SECURITY_ATTRIBUTES`, passed by value to the functions that copy it at once. */
export interface SecurityAttributes {
  nLength: number;
  lpSecurityDescriptor: Pointer | null;
  bInheritHandle: number;
}

/** The callback `RegisterWaitForSingleObject` calls (`WAITORTIMERCALLBACK`). */
export type WaitCallback = (context: number, timedOut: number) => void;

/**
 * Everything localwire calls. Win32 `BOOL` is a 4-byte int, declared `int`
 * (koffi's `bool` is one byte and misreads it): non-zero means success.
 */
export interface Win32 {
  readonly koffi: typeof Koffi;
  /** koffi type of `OVERLAPPED`, for `koffi.alloc`/`koffi.encode`. */
  readonly OVERLAPPED: Koffi.TypeObject;
  /** koffi type of a pointer to {@link WaitCallback}, for `koffi.register`. */
  readonly WaitCallbackPointer: Koffi.TypeObject;

  GetLastError(): number;
  CloseHandle(handle: Handle): number;
  LocalFree(memory: Pointer): number;
  GetCurrentProcess(): Handle;
  GetCurrentThread(): Handle;
  CreateNamedPipeW(
    name: string,
    openMode: number,
    pipeMode: number,
    maxInstances: number,
    outBufferSize: number,
    inBufferSize: number,
    defaultTimeout: number,
    attributes: SecurityAttributes,
  ): Handle;
  ConnectNamedPipe(pipe: Handle, overlapped: Pointer): number;
  DisconnectNamedPipe(pipe: Handle): number;
  CreateFileW(
    name: string,
    access: number,
    shareMode: number,
    attributes: null,
    disposition: number,
    flags: number,
    template: Handle,
  ): Handle;
  WaitNamedPipeW(name: string, timeoutMs: number): number;
  GetNamedPipeClientProcessId(pipe: Handle, pid: Out<number>): number;
  GetNamedPipeServerProcessId(pipe: Handle, pid: Out<number>): number;
  CreateEventW(attributes: null, manualReset: number, initialState: number, name: null): Handle;
  ResetEvent(event: Handle): number;
  CancelIoEx(handle: Handle, overlapped: Pointer): number;
  GetOverlappedResult(
    handle: Handle,
    overlapped: Pointer,
    transferred: Out<number>,
    wait: number,
  ): number;
  RegisterWaitForSingleObject(
    waitHandle: Out<Handle>,
    object: Handle,
    callback: Pointer,
    context: number,
    timeoutMs: number,
    flags: number,
  ): number;
  UnregisterWait(waitHandle: Handle): number;

  OpenProcessToken(process: Handle, access: number, token: Out<Handle>): number;
  OpenThreadToken(thread: Handle, access: number, openAsSelf: number, token: Out<Handle>): number;
  GetTokenInformation(
    token: Handle,
    infoClass: number,
    buffer: Pointer | null,
    length: number,
    returnLength: Out<number>,
  ): number;
  ConvertSidToStringSidW(sid: Pointer, sddl: Out<string | null>): number;
  ConvertStringSecurityDescriptorToSecurityDescriptorW(
    sddl: string,
    revision: number,
    descriptor: Out<Pointer | null>,
    size: Out<number> | null,
  ): number;
  /** Returns a Win32 error code (0 = success), not a `BOOL`. */
  GetSecurityInfo(
    handle: Handle,
    objectType: number,
    info: number,
    owner: Out<Pointer | null> | null,
    group: Out<Pointer | null> | null,
    dacl: Out<Pointer | null> | null,
    sacl: Out<Pointer | null> | null,
    descriptor: Out<Pointer | null>,
  ): number;
  GetSecurityDescriptorOwner(
    descriptor: Pointer,
    owner: Out<Pointer | null>,
    defaulted: Out<number>,
  ): number;
  GetSecurityDescriptorDacl(
    descriptor: Pointer,
    present: Out<number>,
    dacl: Out<Pointer | null>,
    defaulted: Out<number>,
  ): number;
  ImpersonateNamedPipeClient(pipe: Handle): number;
  RevertToSelf(): number;

  /** libuv, exported by node.exe: wraps a HANDLE in a C runtime fd that `net.Socket` accepts. */
  uv_open_osfhandle(handle: Handle): number;
}

let loaded: Win32 | undefined;

/** Loads koffi and declares the Win32 functions, once. Call only on Windows. */
export function win32(): Win32 {
  loaded ??= load();
  return loaded;
}

function load(): Win32 {
  const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
  const kernel32 = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  // node.exe links libuv statically and exports its API for native addons.
  const node = koffi.load(process.execPath);

  // A string that the callee LocalAlloc'ed: koffi converts it, then frees it.
  const LocalFree = kernel32.func('intptr_t LocalFree(void *memory)');
  koffi.disposable('LocalWideString', 'str16', (p: Pointer) => LocalFree(p));
  koffi.struct('SECURITY_ATTRIBUTES', {
    nLength: 'uint32_t',
    lpSecurityDescriptor: 'void *',
    bInheritHandle: 'int',
  });
  const OVERLAPPED = koffi.struct('OVERLAPPED', {
    Internal: 'uintptr_t',
    InternalHigh: 'uintptr_t',
    Offset: 'uint32_t',
    OffsetHigh: 'uint32_t',
    hEvent: 'intptr_t',
  });
  const WaitCallback = koffi.proto(
    'void __stdcall WaitOrTimerCallback(intptr_t context, uint8_t timedOut)',
  );

  const k = (prototype: string) => kernel32.func(prototype);
  const a = (prototype: string) => advapi32.func(prototype);
  return {
    koffi,
    OVERLAPPED,
    WaitCallbackPointer: koffi.pointer(WaitCallback),

    GetLastError: k('uint32_t __stdcall GetLastError()'),
    CloseHandle: k('int __stdcall CloseHandle(intptr_t handle)'),
    LocalFree,
    GetCurrentProcess: k('intptr_t __stdcall GetCurrentProcess()'),
    GetCurrentThread: k('intptr_t __stdcall GetCurrentThread()'),
    CreateNamedPipeW: k(
      'intptr_t __stdcall CreateNamedPipeW(const char16_t *name, uint32_t openMode, uint32_t pipeMode, uint32_t maxInstances, uint32_t outBufferSize, uint32_t inBufferSize, uint32_t defaultTimeout, SECURITY_ATTRIBUTES *attributes)',
    ),
    ConnectNamedPipe: k('int __stdcall ConnectNamedPipe(intptr_t pipe, void *overlapped)'),
    DisconnectNamedPipe: k('int __stdcall DisconnectNamedPipe(intptr_t pipe)'),
    CreateFileW: k(
      'intptr_t __stdcall CreateFileW(const char16_t *name, uint32_t access, uint32_t shareMode, void *attributes, uint32_t disposition, uint32_t flags, intptr_t template)',
    ),
    WaitNamedPipeW: k('int __stdcall WaitNamedPipeW(const char16_t *name, uint32_t timeout)'),
    GetNamedPipeClientProcessId: k(
      'int __stdcall GetNamedPipeClientProcessId(intptr_t pipe, _Out_ uint32_t *pid)',
    ),
    GetNamedPipeServerProcessId: k(
      'int __stdcall GetNamedPipeServerProcessId(intptr_t pipe, _Out_ uint32_t *pid)',
    ),
    CreateEventW: k(
      'intptr_t __stdcall CreateEventW(void *attributes, int manualReset, int initialState, const char16_t *name)',
    ),
    ResetEvent: k('int __stdcall ResetEvent(intptr_t event)'),
    CancelIoEx: k('int __stdcall CancelIoEx(intptr_t handle, void *overlapped)'),
    GetOverlappedResult: k(
      'int __stdcall GetOverlappedResult(intptr_t handle, void *overlapped, _Out_ uint32_t *transferred, int wait)',
    ),
    RegisterWaitForSingleObject: k(
      'int __stdcall RegisterWaitForSingleObject(_Out_ intptr_t *waitHandle, intptr_t object, WaitOrTimerCallback *callback, intptr_t context, uint32_t timeout, uint32_t flags)',
    ),
    UnregisterWait: k('int __stdcall UnregisterWait(intptr_t waitHandle)'),

    OpenProcessToken: a(
      'int __stdcall OpenProcessToken(intptr_t process, uint32_t access, _Out_ intptr_t *token)',
    ),
    OpenThreadToken: a(
      'int __stdcall OpenThreadToken(intptr_t thread, uint32_t access, int openAsSelf, _Out_ intptr_t *token)',
    ),
    GetTokenInformation: a(
      'int __stdcall GetTokenInformation(intptr_t token, int infoClass, void *buffer, uint32_t length, _Out_ uint32_t *returnLength)',
    ),
    ConvertSidToStringSidW: a(
      'int __stdcall ConvertSidToStringSidW(void *sid, _Out_ LocalWideString *sddl)',
    ),
    ConvertStringSecurityDescriptorToSecurityDescriptorW: a(
      'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(const char16_t *sddl, uint32_t revision, _Out_ void **descriptor, _Out_ uint32_t *size)',
    ),
    GetSecurityInfo: a(
      'uint32_t __stdcall GetSecurityInfo(intptr_t handle, int objectType, uint32_t info, _Out_ void **owner, _Out_ void **group, _Out_ void **dacl, _Out_ void **sacl, _Out_ void **descriptor)',
    ),
    GetSecurityDescriptorOwner: a(
      'int __stdcall GetSecurityDescriptorOwner(void *descriptor, _Out_ void **owner, _Out_ int *defaulted)',
    ),
    GetSecurityDescriptorDacl: a(
      'int __stdcall GetSecurityDescriptorDacl(void *descriptor, _Out_ int *present, _Out_ void **dacl, _Out_ int *defaulted)',
    ),
    ImpersonateNamedPipeClient: a('int __stdcall ImpersonateNamedPipeClient(intptr_t pipe)'),
    RevertToSelf: a('int __stdcall RevertToSelf()'),

    uv_open_osfhandle: node.func('int uv_open_osfhandle(intptr_t handle)'),
  };
}
