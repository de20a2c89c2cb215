import type { Connection, PeerInfo } from '@localwire/transport';
import type { JSONRPCID } from 'json-rpc-2.0';
import type { RequestOptions, RpcContext } from './context.js';
import type { RpcLimits } from './limits.js';
import type { RpcParams } from './protocol.js';

/** The side of a connection a {@link CallContext} belongs to: what every call on it shares. */
export interface CallHost {
  readonly connection: Connection;
  readonly peer: PeerInfo | undefined;
  readonly limits: Readonly<Required<RpcLimits>>;
  /** Aborts when the connection closes. */
  readonly signal: AbortSignal;
  notify(method: string, params?: RpcParams): void;
  request<T = unknown>(method: string, params?: RpcParams, options?: RequestOptions): Promise<T>;
}

/**
 * The context of one incoming call, as its handler gets it: a few fields on
 * top of the connection's {@link CallHost}, made per call, so it stays this
 * small (everything else is read through to the host).
 */
export class CallContext implements RpcContext {
  /** The request's id; `undefined` for a notification. */
  readonly id: JSONRPCID | undefined;
  readonly #host: CallHost;

  constructor(host: CallHost, id: JSONRPCID | undefined) {
    this.#host = host;
    this.id = id;
  }

  get connection(): Connection {
    return this.#host.connection;
  }

  get peer(): PeerInfo | undefined {
    return this.#host.peer;
  }

  get limits(): Readonly<Required<RpcLimits>> {
    return this.#host.limits;
  }

  get signal(): AbortSignal {
    return this.#host.signal;
  }

  notify(method: string, params?: RpcParams): void {
    this.#host.notify(method, params);
  }

  request<T = unknown>(method: string, params?: RpcParams, options?: RequestOptions): Promise<T> {
    return this.#host.request<T>(method, params, options);
  }
}
