export type { ReconnectOptions } from './backoff.js';
export { RequestQueueFullError } from './call-queue.js';
export { connectRpc, type RpcClient, type RpcClientOptions } from './client.js';
export {
  type RpcClientEventMap,
  type RpcClientState,
  type RpcCloseReason,
  RpcReconnectedEvent,
  RpcStateChangeEvent,
  RpcSubscriptionGapEvent,
} from './client-events.js';
export type {
  RequestOptions,
  RpcContext,
  RpcHandler,
  RpcMethodDefinition,
  RpcMethods,
  RpcParamsCheck,
} from './context.js';
export {
  type BatchCall,
  type BatchResult,
  defineMethods,
  type RpcBatch,
  type RpcBatchCall,
  type RpcMethodName,
  type RpcMethodParams,
  type RpcMethodResult,
  type RpcNotify,
  type RpcOn,
  type RpcPushResult,
  type RpcRequest,
  type RpcRequestArgs,
  type RpcSubscribe,
  type RpcTopic,
  type UntypedBatch,
  type UntypedMethods,
  type UntypedNotify,
  type UntypedRequest,
  type UntypedSubscribe,
} from './contract.js';
export { isRpcError, RpcError, RpcErrorCode } from './errors.js';
export { DEFAULT_LIMITS, type RpcLimits } from './limits.js';
export type { RpcParams } from './protocol.js';
export { ResultSchemaError, type RpcIssue } from './schema.js';
export {
  type CloseOptions,
  type CloseResult,
  createRpcServer,
  type RpcServer,
  type RpcServerOptions,
} from './server.js';
export {
  type RpcSubscription,
  type SubscribeOptions,
  SubscriptionOverflowError,
} from './subscription-stream.js';
export {
  createSubscriptions,
  type Subscription,
  type Subscriptions,
  type SubscriptionsOptions,
} from './subscriptions.js';
export {
  CLIENT_TRACING_CHANNEL,
  type RpcClientTraceContext,
  type RpcServerTraceContext,
  type RpcTraceContext,
  SERVER_TRACING_CHANNEL,
} from './tracing.js';
