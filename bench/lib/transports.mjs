// The transports the byte scenarios (echo, throughput) run over: for each,
// the raw Node implementation and the localwire transport compared with it
// in the same processes, and the section of the result tables their rows
// go to.
import { join } from 'node:path';
import { makeTestPki } from '@localwire/test-pki';

/**
 * @typedef {object} ByteTransport
 * @property {string} name `unix`, `tcp` or `tls`
 * @property {string} raw the baseline implementation (impls/bytes.mjs)
 * @property {string} localwire the localwire implementation
 * @property {'bytes' | 'tcp' | 'tls'} section
 * @property {boolean} tls whether it needs the run's certificates
 */

/** @type {Record<'unix' | 'tcp' | 'tls', ByteTransport>} */
export const TRANSPORTS = {
  unix: { name: 'unix', raw: 'raw-net', localwire: 'localwire', section: 'bytes', tls: false },
  tcp: { name: 'tcp', raw: 'raw-tcp', localwire: 'localwire-tcp', section: 'tcp', tls: false },
  tls: { name: 'tls', raw: 'raw-tls', localwire: 'localwire-tls', section: 'tls', tls: true },
};

/**
 * What `transport` needs before its servers start: for TLS, the run's
 * certificates (tools/test-pki), made on first use with the openssl CLI, in
 * the run's private temporary directory, and kept in `ctx.certificates` for the rest
 * of the run. Without openssl the scenario is skipped, with the reason.
 * @param {import('./pairs.mjs').Context} ctx
 * @param {ByteTransport} transport
 * @returns {{ certificates?: string } | { skipped: string }}
 */
export function prepare(ctx, transport) {
  if (!transport.tls) return {};
  try {
    ctx.certificates ??= makeTestPki(join(ctx.dir, 'certificates')).dir;
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') {
      return { skipped: 'the openssl CLI, which makes the TLS certificates, is not installed' };
    }
    throw error;
  }
  return { certificates: ctx.certificates };
}
