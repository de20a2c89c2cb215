// Small statistics helpers: percentiles over samples, medians over rounds.

/**
 * The `p`-th percentile (0–100) of `values`, nearest-rank.
 * @param {ArrayLike<number>} values
 * @param {number} p
 * @returns {number}
 */
export function percentile(values, p) {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * The median of `values` (the mean of the middle two for an even count).
 * @param {ArrayLike<number>} values
 * @returns {number}
 */
export function median(values) {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/**
 * Joins arrays of samples (one per round) into one.
 * @param {ArrayLike<number>[]} rounds
 * @returns {Float64Array}
 */
export function pool(rounds) {
  const total = rounds.reduce((n, r) => n + r.length, 0);
  const out = new Float64Array(total);
  let at = 0;
  for (const r of rounds) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

/**
 * `a / b`, or `null` when either is missing or `b` is zero.
 * @param {number | null | undefined} a
 * @param {number | null | undefined} b
 * @returns {number | null}
 */
export function ratio(a, b) {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/**
 * A figure for a table: 3 significant digits below 1000, thousands separators above.
 * @param {number | null | undefined} value
 * @returns {string}
 */
export function formatNumber(value) {
  if (value == null || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * A ratio for a table, e.g. `0.98×`.
 * @param {number | null | undefined} value
 * @returns {string}
 */
export function formatRatio(value) {
  if (value == null || !Number.isFinite(value)) return '—';
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}
