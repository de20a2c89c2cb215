/**
 * The bytes of a WebAssembly module with one function, `scan(i32, i32) ->
 * i32`, and its memory, both exported: the frame the depth checks
 * (nesting-wasm.ts, nesting-simd.ts) put their function bodies in.
 */

/** `i32`, the value type. */
export const I32 = 0x7f;

/** Unsigned LEB128, for sizes and SIMD opcodes. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

const ascii = (name: string) => [name.length, ...Array.from(name, (ch) => ch.charCodeAt(0))];

/**
 * The module whose `scan` has `code` (its local declarations, then its
 * instructions and final `end`), with `pages` pages of 64 KiB of memory.
 */
export function scanModule(code: readonly number[], pages: number): Uint8Array {
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, [1, 0x60, 2, I32, I32, 1, I32]), // types: (i32, i32) -> i32
    ...section(3, [1, 0]), // functions: one, of type 0
    ...section(5, [1, 0x00, pages]), // memory: one, `pages` pages, no maximum
    ...section(7, [2, ...ascii('memory'), 0x02, 0, ...ascii('scan'), 0x00, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}
