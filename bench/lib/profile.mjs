// Summarizes a V8 .cpuprofile (from `--cpu-prof`): self time by function.
//   node bench/lib/profile.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The functions with the most self time, as a share of the busy (non-idle) time.
 * @param {string} file
 * @param {number} [top]
 * @returns {{ totalMs: number, entries: { selfMs: number, percent: number, name: string, where: string }[] }}
 */
export function summarizeProfile(file, top = 15) {
  /** @type {{ nodes: any[], samples: number[], timeDeltas: number[] }} */
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  /** @type {Map<number, any>} */
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<string, number>} */
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url
      ? url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(packages|bench)\//, '$1/')
      : '';
    const key = `${functionName || '(anonymous)'}\t${short ? `${short}:${lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + delta);
    // Percentages are of the time the process was busy, not waiting.
    if (functionName !== '(idle)') total += delta;
  }
  const entries = [...self.entries()]
    .filter(([key]) => !key.startsWith('(idle)\t'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => {
      const [name, where] = key.split('\t');
      return { selfMs: us / 1000, percent: (100 * us) / total, name, where };
    });
  return { totalMs: total / 1000, entries };
}

/**
 * @param {string} file
 * @param {number} [top]
 */
export function formatProfile(file, top) {
  const { totalMs, entries } = summarizeProfile(file, top);
  const lines = [`${file} (${totalMs.toFixed(0)} ms busy)`];
  for (const e of entries) {
    lines.push(
      `  ${e.percent.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(6)} ms  ${e.name}  ${e.where}`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/lib/profile.mjs FILE.cpuprofile [TOP]');
    process.exit(1);
  }
  console.log(formatProfile(file, top ? Number(top) : 25));
}
