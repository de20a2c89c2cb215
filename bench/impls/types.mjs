// What every JSON-RPC implementation under test provides.

/**
 * @typedef {object} RpcClient
 * @property {(method: string, params: unknown[]) => Promise<unknown>} call
 *   one request; resolves with its result
 * @property {((calls: { method: string, params: unknown[] }[]) => Promise<unknown[]>) | undefined} batch
 *   one batch; resolves with the results in order (`undefined`: no batch support)
 * @property {() => Promise<void>} close
 */

/**
 * @typedef {object} RpcOptions
 * @property {boolean} [large] messages up to 64 MiB will be sent
 */

/**
 * @typedef {object} RpcImpl
 * @property {string} label
 * @property {(path: string, options: RpcOptions) => Promise<{ close(): Promise<void> }>} serve
 * @property {(path: string, options: RpcOptions) => Promise<RpcClient>} connect
 */

/** The methods every server serves: a tiny call, and an echo for large params. */
export const methods = {
  /** @param {[number, number]} params */
  add: ([a, b]) => a + b,
  /** @param {[unknown]} params */
  echo: ([value]) => value,
};
