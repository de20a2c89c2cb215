/**
 * The depth check of {@link nestsDeeper} in WebAssembly SIMD, 16 bytes a
 * step: where the scalar module ({@link ./nesting-wasm.ts}) runs a branchy
 * loop per byte, this compares a block with `"`, `\`, and the brackets at
 * once (`i8x16.eq`, `i8x16.bitmask`), finds the bytes inside strings with a
 * prefix XOR of the quote bits, and counts the brackets outside strings with
 * `popcnt`. A block that can neither nest past `max` nor close more than is
 * open (depth + opens ≤ max, depth ≥ closes) just adds its counts; any other
 * walks its brackets in order, and a block with a backslash goes byte by
 * byte (escapes are rare in JSON-RPC). Same answers as the scalar check, at
 * about half its instructions for a batch of 100 tiny calls (valgrind:
 * 88,700 → 45,900).
 *
 * In outline (locals as below; the text is in memory at `[0, end)`, and
 * memory has 16 bytes to spare past the longest text, so a block may read
 * past `end`: `valid` masks those lanes):
 *
 * ```text
 * while i < end:
 *   v = mem[i..i+16]; valid = end - i >= 16 ? 0xffff : (1 << (end - i)) - 1
 *   if no '\\' in v & valid:
 *     q, o, c = bits of '"', of '[' or '{' (v | 0x20 == '{'), of ']' or '}'
 *     s = prefix-xor(q) ^ inString            ;; bits inside a string
 *     inString = bit 15 of s ? 0xffff : 0
 *     o &= ~s; c &= ~s
 *     if depth + popcnt(o) <= max and depth >= popcnt(c): depth += popcnt(o) - popcnt(c)
 *     else for each bit of o | c, lowest first: ++depth > max → 1; --depth < 0 → 0
 *     i += 16
 *   else byte by byte to i + 16 (a backslash in a string skips the next byte)
 * 0
 * ```
 */

import { I32, scanModule, uleb } from './wasm-module.js';

const V128 = 0x7b;
const VOID = 0x40;

/** Signed LEB128, for `i32.const`. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

// Locals: the two parameters, then the rest.
const END = 0;
const MAX = 1;
const I = 2;
const DEPTH = 3;
const C = 4;
const IN_STRING = 5;
const Q = 6;
const O = 7;
const CL = 8;
const S = 9;
const M = 10;
const BIT = 11;
const VALID = 12;
const LIMIT = 13;
const V = 14;
/** Local declarations: 12 × i32 (`I` … `LIMIT`), 1 × v128 (`V`). */
const LOCALS = [2, 12, I32, 1, V128];

const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const tee = (local: number) => [0x22, local];
const i32 = (n: number) => [0x41, ...sleb(n)];
const EQZ = 0x45;
const EQ = 0x46;
const LT_S = 0x48;
const LT_U = 0x49;
const GT_S = 0x4a;
const LE_S = 0x4c;
const GE_S = 0x4e;
const GE_U = 0x4f;
const POPCNT = 0x69;
const ADD = 0x6a;
const SUB = 0x6b;
const AND = 0x71;
const OR = 0x72;
const XOR = 0x73;
const SHL = 0x74;
const SHR_U = 0x76;
const SELECT = 0x1b;
const RETURN = 0x0f;
const LOAD8_U = [0x2d, 0x00, 0x00];
const simd = (opcode: number, ...immediates: number[]) => [0xfd, ...uleb(opcode), ...immediates];
const V128_LOAD = simd(0x00, 0x00, 0x00);
const SPLAT = simd(0x0f); // i8x16.splat
const I8_EQ = simd(0x23); // i8x16.eq
const V128_OR = simd(0x50);
const BITMASK = simd(0x64); // i8x16.bitmask

/** Code: bytes, nested code, or structured control flow whose branches name their targets. */
type Code = number | Code[] | Block | Branch;
interface Block {
  readonly kind: 'block' | 'loop' | 'if';
  readonly label: string | undefined;
  readonly body: Code[];
  readonly otherwise: Code[] | undefined;
}
interface Branch {
  readonly kind: 'br' | 'br_if';
  readonly label: string;
}

const block = (label: string, ...body: Code[]): Block => ({
  kind: 'block',
  label,
  body,
  otherwise: undefined,
});
const loop = (label: string, ...body: Code[]): Block => ({
  kind: 'loop',
  label,
  body,
  otherwise: undefined,
});
const when = (body: Code[], otherwise?: Code[]): Block => ({
  kind: 'if',
  label: undefined,
  body,
  otherwise,
});
const br = (label: string): Branch => ({ kind: 'br', label });
const brIf = (label: string): Branch => ({ kind: 'br_if', label });

/** The bytes of `code`, branch targets resolved to relative depths. */
function assemble(code: Code): number[] {
  const out: number[] = [];
  const open: Array<string | undefined> = [];
  const walk = (node: Code): void => {
    if (typeof node === 'number') {
      out.push(node);
    } else if (Array.isArray(node)) {
      for (const child of node) walk(child);
    } else if (node.kind === 'br' || node.kind === 'br_if') {
      const at = open.lastIndexOf(node.label);
      if (at < 0) throw new Error(`no enclosing block ${node.label}`);
      out.push(node.kind === 'br' ? 0x0c : 0x0d, open.length - 1 - at);
    } else {
      const structured = node as Block;
      out.push({ block: 0x02, loop: 0x03, if: 0x04 }[structured.kind], VOID);
      open.push(structured.label);
      walk(structured.body);
      if (structured.otherwise !== undefined) {
        out.push(0x05);
        walk(structured.otherwise);
      }
      open.pop();
      out.push(0x0b);
    }
  };
  walk(code);
  return out;
}

/** Lanes of `V` equal to `byte`, as 16 bits, masked to the valid ones, into `local`. */
const lanes = (byte: number, local: number) => [
  ...[...get(V), ...i32(byte), ...SPLAT, ...I8_EQ, ...BITMASK],
  ...[...get(VALID), AND, ...set(local)],
];

/** `++depth > max`: return 1. */
const OPEN = [...get(DEPTH), ...i32(1), ADD, ...tee(DEPTH), ...get(MAX), GT_S];
/** `--depth < 0` */
const CLOSE = [...get(DEPTH), ...i32(1), SUB, ...tee(DEPTH), ...i32(0), LT_S];

/** A block without backslashes: counted 16 bytes at once. */
const FAST_BLOCK: Code[] = [
  lanes(0x22, Q),
  // Folding 0x20 in makes '[' '{' and ']' '}' (and nothing else maps to those two).
  [...get(V), ...i32(0x20), ...SPLAT, ...V128_OR, ...set(V)],
  lanes(0x7b, O),
  lanes(0x7d, CL),
  // Prefix XOR: bit k is set when an odd number of quotes are at or before it.
  [...get(Q), ...get(Q), ...i32(1), SHL, XOR, ...tee(S)],
  [...get(S), ...i32(2), SHL, XOR, ...tee(S)],
  [...get(S), ...i32(4), SHL, XOR, ...tee(S)],
  [...get(S), ...i32(8), SHL, XOR, ...get(IN_STRING), XOR, ...i32(0xffff), AND, ...set(S)],
  [...i32(0), ...get(S), ...i32(15), SHR_U, SUB, ...i32(0xffff), AND, ...set(IN_STRING)],
  [...get(O), ...get(S), ...i32(0xffff), XOR, AND, ...set(O)],
  [...get(CL), ...get(S), ...i32(0xffff), XOR, AND, ...set(CL)],
  [...get(DEPTH), ...get(O), POPCNT, ADD, ...get(MAX), LE_S],
  [...get(DEPTH), ...get(CL), POPCNT, GE_S, AND],
  when(
    [...get(DEPTH), ...get(O), POPCNT, ADD, ...get(CL), POPCNT, SUB, ...set(DEPTH)],
    [
      [...get(O), ...get(CL), OR, ...set(M)],
      block(
        'walked',
        loop(
          'bits',
          [...get(M), EQZ],
          brIf('walked'),
          [...get(M), ...i32(0), ...get(M), SUB, AND, ...set(BIT)],
          [...get(O), ...get(BIT), AND],
          when([OPEN, when([...i32(1), RETURN])], [CLOSE, brIf('done')]),
          [...get(M), ...get(BIT), XOR, ...set(M)],
          br('bits'),
        ),
      ),
    ],
  ),
  [...get(I), ...i32(16), ADD, ...set(I)],
  br('next'),
];

/** A block with a backslash: byte by byte, to 16 bytes on (or one past, after an escape). */
const SLOW_BLOCK: Code[] = [
  [...get(I), ...i32(16), ADD, ...tee(LIMIT), ...get(END), ...get(LIMIT), ...get(END), LT_U],
  [SELECT, ...set(LIMIT)],
  loop(
    'byte',
    [...get(I), ...get(LIMIT), GE_U],
    brIf('next'),
    [...get(I), ...LOAD8_U, ...set(C), ...get(I), ...i32(1), ADD, ...set(I)],
    get(IN_STRING),
    when(
      [
        [...get(C), ...i32(0x5c), EQ],
        when(
          [...get(I), ...i32(1), ADD, ...set(I)],
          [[...get(C), ...i32(0x22), EQ], when([...i32(0), ...set(IN_STRING)])],
        ),
      ],
      [
        [...get(C), ...i32(0x22), EQ],
        when(
          [...i32(0xffff), ...set(IN_STRING)],
          [
            [...get(C), ...i32(0x20), OR, ...set(C)],
            [...get(C), ...i32(0x7b), EQ],
            when(
              [OPEN, when([...i32(1), RETURN])],
              [[...get(C), ...i32(0x7d), EQ], when([CLOSE, brIf('done')])],
            ),
          ],
        ),
      ],
    ),
    br('byte'),
  ),
];

const BODY = assemble([
  block(
    'done',
    loop(
      'next',
      [...get(I), ...get(END), GE_U],
      brIf('done'),
      [...get(I), ...V128_LOAD, ...set(V)],
      // valid = end - i >= 16 ? 0xffff : (1 << (end - i)) - 1
      [...i32(0xffff), ...i32(1), ...get(END), ...get(I), SUB, SHL, ...i32(1), SUB],
      [...get(END), ...get(I), SUB, ...i32(16), GE_U, SELECT, ...set(VALID)],
      [...get(V), ...i32(0x5c), ...SPLAT, ...I8_EQ, ...BITMASK, ...get(VALID), AND, EQZ],
      when(FAST_BLOCK),
      SLOW_BLOCK,
    ),
  ),
  i32(0),
]);

const code = [...LOCALS, ...BODY, 0x0b];

/**
 * The module: `scan(end, max)` → 1 when `[0, end)` nests deeper than `max`,
 * and a memory of 2 pages (texts up to 64 KiB, and the bytes a last block
 * reads past one).
 */
export const SIMD_MODULE = scanModule(code, 2);
