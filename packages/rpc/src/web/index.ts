/**
 * `@weft/rpc/web`: typed calls from a web page to a Weft server's WebSocket transport, through the
 * browser's native `WebSocket` — unary, server streaming, client streaming and bidi, with the
 * service definitions, options and types of the Node client.
 * @packageDocumentation
 */

// gzip from CompressionStream where the browser has it.
import './gzip.js';

export type { BackoffOptions } from '../channel/backoff.js';
export type { ChannelStats, HedgeOptions, RetryOptions } from '../channel/channel.js';
export type { EndpointState } from '../channel/endpoint.js';
export type { RetryBudgetOptions } from '../channel/retry-budget.js';
export { channelOf } from '../client-build.js';
export type { CallOptions, ResponseStream } from '../client-call.js';
export {
  type BaseClientOptions,
  type Client,
  type ClientCallContext,
  type ClientInterceptor,
  type ClientMethod,
  DEFAULT_MAX_MESSAGE_BYTES,
  type TransportKind,
} from '../client-types.js';
export { jsonCodec, type MessageCodec, rawCodec } from '../codec.js';
export { msgpackCodec, type RecordsPolicy } from '../codec-msgpack.js';
export {
  type BadRequest,
  type DebugInfo,
  decodeDetail,
  detailType,
  type ErrorDetail,
  type ErrorInfo,
  errorDetails,
  type KnownDetail,
  type RetryInfo,
} from '../error-details.js';
export { isRpcError, RpcError, RpcUsageError, type RpcUsageErrorCode } from '../errors.js';
export type { Interceptor } from '../interceptors.js';
export type { Logger } from '../log.js';
export { Metadata, type MetadataInit, type MetadataValue } from '../metadata.js';
export type { MethodsOf, ProtoMethods, ProtoService } from '../protobuf/service.js';
export {
  bidiStream,
  clientStream,
  defineService,
  type MethodDescriptor,
  type MethodKind,
  type MethodMap,
  type MethodOptions,
  methodPath,
  type RequestOf,
  type ResponseOf,
  type ServiceDefinition,
  type ServiceOptions,
  serverStream,
  unary,
} from '../service.js';
export { isStatus, Status, statusName } from '../status.js';
export type { MessageCounts } from '../tracing.js';
export type { KeepaliveOptions } from '../transport/keepalive.js';
export { WS_PATH } from '../transport/ws-client.js';
export { createClient, WEB_HANDSHAKE_TIMEOUT_MS, type WebClientOptions } from './create-client.js';
