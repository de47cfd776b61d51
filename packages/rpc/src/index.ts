/**
 * `@weft/rpc`: typed calls over `@weft/mux` (the gRPC wire format), a pool of plain connections,
 * or WebSocket — define a service in TypeScript, serve it, call it, with deadlines, cancellation
 * and the same behaviour on every transport.
 * @packageDocumentation
 */

export type { BackoffOptions } from './channel/backoff.js';
export { type Balancer, type BalancerName, balancerFor, type PickInfo } from './channel/balancer.js';
export { consistentHash } from './channel/balancers/consistent-hash.js';
export { powerOfTwoChoices } from './channel/balancers/p2c.js';
export { pickFirst } from './channel/balancers/pick-first.js';
export { roundRobin } from './channel/balancers/round-robin.js';
export {
  Channel,
  type ChannelOptions,
  type ChannelStats,
  type HedgeOptions,
  type RetryOptions,
} from './channel/channel.js';
export type { DnsResolverOptions } from './channel/dns-resolver.js';
export type { EjectionOptions, EndpointState, EndpointView } from './channel/endpoint.js';
export { type HealthChecker, type HealthCheckOptions, healthChecker } from './channel/health-check.js';
export type { Address, Resolver } from './channel/resolver.js';
export type { RetryBudgetOptions } from './channel/retry-budget.js';
export {
  type RegisteredAddress,
  type Registrar,
  type RegistrarFactory,
  type ResolverContext,
  type ResolverFactory,
  registerRegistrar,
  registerResolver,
} from './discovery.js';

// The built-in discovery plug-ins: `registry://` and `etcd://` for clients and servers.
import './etcd/registration.js';
import './etcd/resolver.js';
import './registry/registration.js';
import './registry/resolver.js';

export { type ClientOptions, createClient } from './client.js';
export { channelOf } from './client-build.js';
export type { CallOptions, ResponseStream } from './client-call.js';
export {
  type BaseClientOptions,
  type Client,
  type ClientCallContext,
  type ClientInterceptor,
  type ClientMethod,
  DEFAULT_MAX_MESSAGE_BYTES,
  type TransportKind,
} from './client-types.js';
export { jsonCodec, type MessageCodec, rawCodec } from './codec.js';
export { msgpackCodec, type RecordsPolicy } from './codec-msgpack.js';
export { ServerCallContext } from './context.js';
export { encodeTimeout, parseTimeout } from './deadline.js';
export { EnvelopeError, EnvelopeKind, INITIAL_WINDOW, MAX_METADATA_BYTES } from './envelope.js';
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
} from './error-details.js';
export { isRpcError, RpcError, RpcUsageError, type RpcUsageErrorCode } from './errors.js';
export { EtcdError } from './etcd/gateway.js';
export { Health } from './health/health.js';
export {
  type HealthRequest,
  type HealthResponse,
  HealthService,
  type HealthStatus,
} from './health/service.js';
export type { Interceptor } from './interceptors.js';
export type { Logger } from './log.js';
export { Metadata, type MetadataInit, type MetadataValue } from './metadata.js';
export type { MuxClientOptions } from './node/mux-transport.js';
export type { PooledClientOptions } from './node/pooled-transport.js';
export type { ClientTlsOptions, ServerTlsOptions } from './node/tls-options.js';
export type { WsClientOptions, WsListenOptions } from './node/ws-transport.js';
export type { MethodsOf, ProtoMethods, ProtoService } from './protobuf/service.js';
export type { RegisterOptions } from './registry/registration.js';
export { Registry, type RegistryLimits } from './registry/registry.js';
export {
  type Lease,
  type RegisterRequest,
  type RegistryAddress,
  RegistryService,
  type Snapshot,
} from './registry/service.js';
export { type RegistryOptions, type RunningRegistry, startRegistry } from './registry/start.js';
export {
  createServer,
  DEFAULT_MAX_CONCURRENT_CALLS,
  type Handler,
  type ListenAddress,
  type ListenOptions,
  Server,
  type ServerInterceptor,
  type ServerOptions,
  type ServiceImplementation,
} from './server.js';
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
} from './service.js';
export { isStatus, Status, statusName } from './status.js';
export type { CallTraceContext, MessageCounts } from './tracing.js';
export type { KeepaliveOptions } from './transport/keepalive.js';
export { WS_PATH } from './transport/ws-client.js';
