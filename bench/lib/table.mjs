// The results as text tables (for the terminal) and Markdown (for the README).
import { formatNumber } from './stats.mjs';

/** Each section's implementations, in column order, with their headings. */
export const SECTIONS = {
  bytes: {
    title: 'Bytes over a Unix socket: localwire transport vs raw node:net',
    columns: [
      ['raw-net', 'raw net'],
      ['localwire', 'localwire'],
    ],
  },
  tcp: {
    title: 'Bytes over TCP on loopback (127.0.0.1): localwire tcpTransport vs raw node:net',
    columns: [
      ['raw-tcp', 'raw net'],
      ['localwire-tcp', 'localwire'],
    ],
  },
  tls: {
    title:
      'Bytes over mutual TLS 1.3 on loopback (127.0.0.1): localwire tlsTransport vs raw node:tls',
    columns: [
      ['raw-tls', 'raw tls'],
      ['localwire-tls', 'localwire'],
    ],
  },
  rpc: {
    title: 'JSON-RPC 2.0 over a Unix socket',
    columns: [
      ['floor', 'floor'],
      ['jsonrpc2', 'json-rpc-2.0'],
      ['vscode', 'vscode-jsonrpc'],
      ['jayson', 'jayson'],
      ['localwire', 'localwire'],
    ],
  },
  tracing: {
    title: 'localwire tracing channels: no subscriber vs a subscriber on both',
    columns: [
      ['localwire-baseline', 'baseline build'],
      ['localwire', 'no subscriber'],
      ['localwire-traced', 'subscribed'],
    ],
  },
  pipe: {
    title: 'Windows named pipe under Wine: localwire vs Node’s own pipe server',
    columns: [
      ['node', 'node:net pipe'],
      ['localwire', 'localwire'],
    ],
  },
};

/** @param {boolean | null | undefined} pass */
function verdict(pass) {
  if (pass === true) return 'pass';
  if (pass === false) return 'MISS';
  return '';
}

/** @param {number | string | null | undefined} value */
function cell(value) {
  return typeof value === 'number' ? formatNumber(value) : (value ?? '—');
}

/**
 * The rows of one section as a grid of strings, with a header row.
 * @param {keyof typeof SECTIONS} section
 * @param {import('./rows.mjs').Row[]} rows
 * @returns {string[][]}
 */
function grid(section, rows) {
  const { columns } = SECTIONS[section];
  const header = ['measurement', ...columns.map(([, label]) => label), 'ratio', 'target', ''];
  const body = rows.map((row) => [
    row.unit ? `${row.metric}, ${row.unit}` : row.metric,
    ...columns.map(([impl]) => cell(row.values[impl])),
    row.ratio ?? '',
    row.target ?? '',
    verdict(row.pass),
  ]);
  return [header, ...body];
}

/**
 * Text tables, one per section that has rows.
 * @param {import('./rows.mjs').Row[]} rows
 * @returns {string}
 */
export function textTables(rows) {
  const out = [];
  for (const section of /** @type {(keyof typeof SECTIONS)[]} */ (Object.keys(SECTIONS))) {
    const mine = rows.filter((r) => r.section === section);
    if (mine.length === 0) continue;
    const g = grid(section, mine);
    const widths = g[0].map((_, c) => Math.max(...g.map((r) => [...r[c]].length)));
    const numeric = (/** @type {number} */ c) => c > 0 && c <= SECTIONS[section].columns.length;
    const line = (/** @type {string[]} */ r) =>
      r
        .map((v, c) => {
          const pad = ' '.repeat(widths[c] - [...v].length);
          return numeric(c) ? pad + v : v + pad;
        })
        .join('  ')
        .trimEnd();
    out.push(SECTIONS[section].title);
    out.push(line(g[0]));
    out.push(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of g.slice(1)) out.push(line(r));
    out.push('');
  }
  return out.join('\n');
}

/**
 * Markdown tables, one per section that has rows.
 * @param {import('./rows.mjs').Row[]} rows
 * @returns {string}
 */
export function markdownTables(rows) {
  const out = [];
  for (const section of /** @type {(keyof typeof SECTIONS)[]} */ (Object.keys(SECTIONS))) {
    const mine = rows.filter((r) => r.section === section);
    if (mine.length === 0) continue;
    const g = grid(section, mine);
    const columns = SECTIONS[section].columns.length;
    const escapePipes = (/** @type {string} */ v) => v.replaceAll('|', '\\|');
    out.push(`**${SECTIONS[section].title}**`, '');
    out.push(`| ${g[0].map(escapePipes).join(' | ')} |`);
    out.push(`|${g[0].map((_, c) => (c > 0 && c <= columns ? ' ---: ' : ' --- ')).join('|')}|`);
    for (const r of g.slice(1)) {
      const last = r.length - 1;
      const marked = r.map((v, c) => (c === last && v === 'MISS' ? '**MISS**' : escapePipes(v)));
      out.push(`| ${marked.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
