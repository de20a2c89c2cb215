// Result rows: one measurement, its value per implementation, the ratio(s)
// and the target it is held to.
import { formatRatio, ratio } from './stats.mjs';

/**
 * @typedef {object} Row
 * @property {string} section a key of `SECTIONS` in table.mjs: 'bytes' | 'tcp' | 'tls' | 'rpc' | 'tracing' | 'pipe'
 * @property {string} metric
 * @property {string} unit
 * @property {Record<string, number | string | null>} values by implementation
 * @property {string} [ratio] e.g. `0.98× floor`
 * @property {Record<string, number | null>} [ratios] the same as numbers, by baseline
 * @property {string} [target] e.g. `≥ 0.8× floor`
 * @property {boolean | null} [pass] `null`: no target
 */

/**
 * A comparison of localwire against one baseline, and whether it meets `target`.
 * @param {number | null | undefined} value localwire's figure
 * @param {number | null | undefined} baseline
 * @param {string} label the baseline's short name in the ratio text
 * @param {{ atLeast?: number, atMost?: number }} [target]
 */
export function compare(value, baseline, label, target = {}) {
  const r = ratio(value, baseline);
  /** @type {boolean | null} */
  let pass = null;
  if (target.atLeast !== undefined) pass = r !== null && r >= target.atLeast;
  if (target.atMost !== undefined) pass = r !== null && r <= target.atMost;
  const targetText =
    target.atLeast !== undefined
      ? `≥ ${target.atLeast}× ${label}`
      : target.atMost !== undefined
        ? `≤ ${target.atMost}× ${label}`
        : '';
  return { label, ratio: r, text: `${formatRatio(r)} ${label}`, target: targetText, pass };
}

/**
 * Joins comparisons into a row's `ratio`, `target` and `pass`.
 * @param {ReturnType<typeof compare>[]} comparisons
 * @returns {{ ratio: string, ratios: Record<string, number | null>, target: string, pass: boolean | null }}
 */
export function joinComparisons(comparisons) {
  const judged = comparisons.filter((c) => c.pass !== null);
  return {
    ratio: comparisons.map((c) => c.text).join(', '),
    ratios: Object.fromEntries(comparisons.map((c) => [c.label, c.ratio])),
    target: judged.map((c) => c.target).join(', '),
    pass: judged.length === 0 ? null : judged.every((c) => c.pass),
  };
}
