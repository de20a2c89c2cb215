import type { Transport } from '../types.js';

/**
 * Frees an address that {@link ConformanceOptions.makeBusy} made busy: stops
 * whatever holds it and ends the connections that filled it.
 */
export type ReleaseBusyAddress = () => Promise<void>;

/** How to run the conformance suite against one transport. */
export interface ConformanceOptions {
  /** The title of the suite's `describe` block, e.g. `'unix-socket'`. */
  name: string;
  /** Makes the transport under test; called once per test. */
  createTransport: () => Transport;
  /** Returns a fresh address nobody uses, different on every call. */
  createAddress: () => string;
  /**
   * Bytes sent (and echoed back) by the large-transfer case.
   * Default 64 MiB.
   */
  largeTransferBytes?: number;
  /** Per-test timeout in milliseconds. Default 60 000 (Wine is slow). */
  timeoutMs?: number;
  /**
   * Makes `address` busy: a server listens there but takes no connection and
   * its queue is full, so a `connect` to it has to wait (a Unix socket whose
   * backlog is full while its process does not accept; a pipe whose every
   * instance is taken). Resolves once a connect would wait, with a function
   * that frees the address again.
   *
   * The connect-timeout (`ETIMEDOUT`) and abort-while-waiting cases need it.
   * A transport where a connect can never wait leaves it out, and those two
   * cases are not run: the suite does not fake a wait.
   */
  makeBusy?: (address: string) => Promise<ReleaseBusyAddress>;
}

/** {@link ConformanceOptions} with every default filled in. */
export interface ResolvedOptions extends Required<Omit<ConformanceOptions, 'makeBusy'>> {
  makeBusy: ConformanceOptions['makeBusy'];
}

/** Fills in the defaults. */
export function resolveOptions(options: ConformanceOptions): ResolvedOptions {
  return {
    name: options.name,
    createTransport: options.createTransport,
    createAddress: options.createAddress,
    largeTransferBytes: options.largeTransferBytes ?? 64 * 1024 * 1024,
    timeoutMs: options.timeoutMs ?? 60_000,
    makeBusy: options.makeBusy,
  };
}
