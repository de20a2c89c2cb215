export {
  type BatchCall,
  type BatchResult,
  connectRpc,
  type RpcClient,
  type RpcClientOptions,
} from './client.js';
export type {
  RequestOptions,
  RpcContext,
  RpcHandler,
  RpcMethodDefinition,
  RpcMethods,
} from './context.js';
export { isRpcError, RpcError, RpcErrorCode } from './errors.js';
export { DEFAULT_LIMITS, type RpcLimits } from './limits.js';
export type { RpcParams } from './protocol.js';
export {
  type CloseOptions,
  type CloseResult,
  createRpcServer,
  type RpcServer,
  type RpcServerOptions,
} from './server.js';
export {
  createSubscriptions,
  type Subscription,
  type Subscriptions,
  type SubscriptionsOptions,
} from './subscriptions.js';
