/**
 * The depth check of {@link nestsDeeper} as a few dozen bytes of
 * WebAssembly: the same byte loop, run as machine code without a JavaScript
 * engine's per-byte bounds and type checks. The check runs on every long
 * message before `JSON.parse` (a batch of 100 tiny calls is 5.6 KB), and in
 * JavaScript it cost about a fifth of what parsing, dispatching and answering
 * that batch costs; here about a third of what it cost (callgrind: 185,000 →
 * 70,000 instructions for that batch). Where the engine has WebAssembly
 * SIMD (Node 16.4 on), the 16-bytes-a-step module of `nesting-simd.ts` runs
 * instead, at half that again; this one is its fallback.
 *
 * The module, in WebAssembly text (locals: 0 `end`, 1 `max`, 2 `i`,
 * 3 `depth`, 4 `c`; the text is in memory at `[0, end)`):
 *
 * ```wat
 * (func (export "scan") (param $end i32) (param $max i32) (result i32)
 *   (local $i i32) (local $depth i32) (local $c i32)
 *   block $done
 *     loop $next
 *       (br_if $done (i32.ge_u $i $end))
 *       $c = mem[$i]; $i++
 *       (if (i32.eq $c '"')                       ;; a string: to its closing quote
 *         block $closed
 *           loop $inString
 *             (br_if $done (i32.ge_u $i $end))     ;; unterminated: not too deep
 *             $c = mem[$i]; $i++
 *             (br_if $closed (i32.eq $c '"'))
 *             (if (i32.eq $c '\\') $i++)           ;; an escape: skip what it escapes
 *             br $inString
 *           end
 *         end
 *         br $next)
 *       $c |= 0x20                                 ;; '[' -> '{', ']' -> '}'
 *       (if (i32.eq $c '{') (if (i32.gt_s ++$depth $max) (return 1)) br $next)
 *       (if (i32.eq $c '}') (br_if $done (i32.lt_s --$depth 0)))
 *       br $next
 *     end
 *   end
 *   0)
 * ```
 */

import { SIMD_MODULE } from './nesting-simd.js';
import { I32, scanModule } from './wasm-module.js';

// Opcodes and immediates used below (WebAssembly core spec, binary format).
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const RETURN = 0x0f;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const LOAD8_U = [0x2d, 0x00, 0x00]; // i32.load8_u, align 1, offset 0
const I32_CONST = 0x41;
const I32_EQ = 0x46;
const I32_LT_S = 0x48;
const I32_GT_S = 0x4a;
const I32_GE_U = 0x4f;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_OR = 0x72;

const END_ARG = 0;
const MAX = 1;
const I = 2;
const DEPTH = 3;
const C = 4;

/** `i32.const n` for 0 ≤ n < 8192 (signed LEB128). */
function i32(n: number): number[] {
  return n < 0x40 ? [I32_CONST, n] : [I32_CONST, (n & 0x7f) | 0x80, n >> 7];
}

/** `$c = mem[$i]; $i++` */
const READ_NEXT = [
  ...[LOCAL_GET, I, ...LOAD8_U, LOCAL_SET, C],
  ...[LOCAL_GET, I, ...i32(1), I32_ADD, LOCAL_SET, I],
];
/** `$c == byte` */
const cIs = (byte: number) => [LOCAL_GET, C, ...i32(byte), I32_EQ];
/** `$i >= $end` */
const AT_END = [LOCAL_GET, I, LOCAL_GET, END_ARG, I32_GE_U];

// Branch depths count enclosing blocks from the innermost (0).
const body = [
  ...[1, 3, I32], // one group of locals: 3 × i32
  ...[BLOCK, VOID], // $done
  ...[LOOP, VOID], // $next
  ...[...AT_END, BR_IF, 1],
  ...READ_NEXT,
  ...[...cIs(0x22), IF, VOID],
  ...[BLOCK, VOID], // $closed
  ...[LOOP, VOID], // $inString
  ...[...AT_END, BR_IF, 4],
  ...READ_NEXT,
  ...[...cIs(0x22), BR_IF, 1],
  ...[...cIs(0x5c), IF, VOID, LOCAL_GET, I, ...i32(1), I32_ADD, LOCAL_SET, I, END],
  ...[BR, 0],
  ...[END, END], // $inString, $closed
  ...[BR, 1, END],
  ...[LOCAL_GET, C, ...i32(0x20), I32_OR, LOCAL_SET, C],
  ...[...cIs(0x7b), IF, VOID],
  ...[LOCAL_GET, DEPTH, ...i32(1), I32_ADD, LOCAL_TEE, DEPTH, LOCAL_GET, MAX, I32_GT_S],
  ...[IF, VOID, ...i32(1), RETURN, END],
  ...[BR, 1, END],
  ...[...cIs(0x7d), IF, VOID],
  ...[LOCAL_GET, DEPTH, ...i32(1), I32_SUB, LOCAL_TEE, DEPTH, ...i32(0), I32_LT_S, BR_IF, 2],
  END,
  ...[BR, 0],
  ...[END, END], // $next, $done
  ...i32(0),
  END,
];

// One page of memory (64 KiB).
const moduleBytes = scanModule(body, 1);

/** The longest text the module takes: its one page of memory. */
export const WASM_SCAN_LIMIT = 64 * 1024;

interface Scanner {
  memory: Uint8Array;
  scan: (end: number, max: number) => number;
}

/** The part of the WebAssembly JS API used here (the compiler's libs here have no DOM types). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

/** Compiled on first use; `null` where WebAssembly is unavailable (`node --jitless`). */
let scanner: Scanner | null | undefined;

/** `bytes` compiled; `null` where this engine cannot (no WebAssembly, or no SIMD for that module). */
function compile(bytes: Uint8Array): Scanner | null {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return null;
  try {
    const { exports } = new api.Instance(new api.Module(bytes));
    return {
      memory: new Uint8Array((exports.memory as { buffer: ArrayBuffer }).buffer),
      scan: exports.scan as Scanner['scan'],
    };
  } catch {
    return null;
  }
}

/** The SIMD module ({@link SIMD_MODULE}) where the engine has WebAssembly SIMD, else the scalar one. */
function load(): Scanner | null {
  return compile(SIMD_MODULE) ?? compile(moduleBytes);
}

/**
 * For tests: each module's check, to hold them to the JavaScript one (`null`
 * for one this engine cannot compile).
 */
export function wasmCheckers(): Record<
  'simd' | 'scalar',
  ((buf: Buffer, from: number, end: number, maxDepth: number) => boolean) | null
> {
  const bind = (loaded: Scanner | null) =>
    loaded &&
    ((buf: Buffer, from: number, end: number, maxDepth: number) =>
      run(loaded, buf, from, end, maxDepth));
  return { simd: bind(compile(SIMD_MODULE)), scalar: bind(compile(moduleBytes)) };
}

function run(loaded: Scanner, buf: Buffer, from: number, end: number, maxDepth: number): boolean {
  loaded.memory.set(buf.subarray(from, end));
  // A limit beyond i32 cannot be reached by a text of 64 KiB.
  return loaded.scan(end - from, Math.min(maxDepth, 0x7fffffff)) === 1;
}

/**
 * {@link nestsDeeper} in WebAssembly for `buf[from, end)` of at most
 * {@link WASM_SCAN_LIMIT} bytes; `undefined` when it cannot run here (too
 * long, or no WebAssembly), for the caller to check in JavaScript.
 */
export function wasmNestsDeeper(
  buf: Buffer,
  from: number,
  end: number,
  maxDepth: number,
): boolean | undefined {
  if (end - from > WASM_SCAN_LIMIT) return undefined;
  if (scanner === undefined) scanner = load();
  if (scanner === null) return undefined;
  return run(scanner, buf, from, end, maxDepth);
}
