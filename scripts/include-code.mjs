// Expands TypeDoc's `{@includeCode path#region}` tags in emitted declaration
// files, so that an editor's hover shows the example itself, as the docs site
// does, instead of a path. The examples live in files that are type-checked
// (each package's examples/), so what a hover shows compiles.
//
// A tag is resolved against the directory of the source file whose comment
// holds it, as TypeDoc does; `#region` picks the lines between
// `// #region region` and `// #endregion region`, dedented. The declaration
// map gets one empty line per inserted line, so go-to-definition still lands
// on the right source line. A missing file or region fails the build.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';

const TAG = /\{@includeCode\s+([^}#\s]+)(?:#([^}\s]+))?\s*\}/;

/**
 * Expands the tags in every `.d.ts` under `outDir`. Returns the problems
 * found (file or region missing), one line each; empty when all is well.
 * @param {string} outDir
 * @returns {string[]}
 */
export function expandIncludeCode(outDir) {
  const problems = [];
  for (const file of declarationFiles(outDir)) {
    const text = readFileSync(file, 'utf8');
    if (!TAG.test(text)) continue;
    const mapFile = `${file}.map`;
    const map = existsSync(mapFile) ? JSON.parse(readFileSync(mapFile, 'utf8')) : undefined;
    const sourceDir = map?.sources?.[0]
      ? dirname(resolve(dirname(mapFile), map.sourceRoot ?? '', map.sources[0]))
      : dirname(file);
    const lines = text.split('\n');
    const out = [];
    /** How many lines were inserted after each generated line, by its index. */
    const inserted = new Map();
    for (const [index, line] of lines.entries()) {
      const match = TAG.exec(line);
      if (!match) {
        out.push(line);
        continue;
      }
      const [tag, path, region] = match;
      const code = readRegion(resolve(sourceDir, path), region);
      if (typeof code !== 'string') {
        problems.push(`${file}: ${tag}: ${code.problem}`);
        out.push(line);
        continue;
      }
      // The tag sits on a comment line (` * {@includeCode …}`): the block keeps its prefix.
      const prefix = line.slice(0, match.index);
      const language = extname(path).slice(1) || 'ts';
      // A `*/` in the example would end the comment it is written into.
      const codeLines = code.replaceAll('*/', '*\\/').split('\n');
      const block = [`\`\`\`${language}`, ...codeLines, '```'].map((l) =>
        `${prefix}${l}`.trimEnd(),
      );
      inserted.set(index, block.length - 1);
      out.push(...block);
    }
    writeFileSync(file, out.join('\n'));
    if (map) {
      map.mappings = withEmptyLines(map.mappings, inserted);
      writeFileSync(mapFile, JSON.stringify(map));
    }
  }
  return problems;
}

/**
 * The lines of `region` in `file` (all of it without a region), dedented; or
 * what is wrong.
 * @param {string} file
 * @param {string | undefined} region
 * @returns {string | { problem: string }}
 */
function readRegion(file, region) {
  if (!existsSync(file)) return { problem: `${file} does not exist` };
  const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
  let picked = lines;
  if (region !== undefined) {
    const start = lines.findIndex((l) => l.trim() === `// #region ${region}`);
    const end = lines.findIndex((l, i) => i > start && l.trim() === `// #endregion ${region}`);
    if (start < 0 || end < 0) {
      return { problem: `no "// #region ${region}" … "// #endregion ${region}" in ${file}` };
    }
    picked = lines.slice(start + 1, end);
  }
  // Region markers nested inside are not part of the example.
  picked = picked.filter((l) => !/^\s*\/\/ #(end)?region\b/.test(l));
  const indent = Math.min(
    ...picked.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return picked.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

/**
 * Source-map `mappings` with `count` empty generated lines after each given
 * line. Empty lines carry no segments, and segments' source fields are
 * relative to the previous segment, so nothing else changes.
 * @param {string} mappings
 * @param {Map<number, number>} inserted
 */
function withEmptyLines(mappings, inserted) {
  const lines = mappings.split(';');
  const out = [];
  lines.forEach((segments, index) => {
    out.push(segments);
    for (let n = inserted.get(index) ?? 0; n > 0; n--) out.push('');
  });
  return out.join(';');
}

/** @param {string} dir @returns {string[]} */
function declarationFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}
