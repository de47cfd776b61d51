/**
 * The Node client: `createClient` over the mux, pooled or ws transport, with every discovery
 * scheme. The browser's is `web/create-client.ts`; both build on `client-build.ts`.
 */
import type { DescService } from '@bufbuild/protobuf';
import type { GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { type Balancer, type BalancerName, balancerFor } from './channel/balancer.js';
import type { DnsResolverOptions } from './channel/dns-resolver.js';
import type { EjectionOptions } from './channel/endpoint.js';
import { type HealthCheckOptions, healthChecker } from './channel/health-check.js';
import { buildClient } from './client-build.js';
import type { BaseClientOptions, Client, TransportKind } from './client-types.js';
import { resolverFor } from './discovery.js';
import { RpcUsageError } from './errors.js';
import { transportFactory } from './node/client-transports.js';
import { nodeDebugLogger } from './node/debug-log.js';
import type { MuxClientOptions } from './node/mux-transport.js';
import type { PooledClientOptions } from './node/pooled-transport.js';
import type { WsClientOptions } from './node/ws-transport.js';
import type { ProtoMethods, ProtoService } from './protobuf/service.js';
import type { MethodMap, ServiceDefinition } from './service.js';
import type { KeepaliveOptions } from './transport/keepalive.js';
// The Node runtime for the call layer: gzip, diagnostics channels, the handler scope.
import './node/runtime.js';

/** Options of {@link createClient}. */
export interface ClientOptions extends BaseClientOptions {
  /**
   * Where the servers are: `static:///host:port[,host:port]` (or a bare `host:port,...`),
   * `dns:[//server:port/]name:port`, `dns+srv:[//server:port/]_service._proto.name`,
   * `registry://host:port` (a weft registry: `startRegistry()` or `npx weft-registry`).
   */
  target: string;
  /** How calls are spread over the addresses: `'p2c'` (default), `'round-robin'`, `'pick-first'`, `'consistent-hash'`, or your own. */
  balancer?: BalancerName | Balancer;
  /** Ask each server's health service every `intervalMs`; servers not SERVING get no calls. Off by default. */
  healthCheck?: HealthCheckOptions;
  /** Outlier ejection after consecutive failures. */
  ejection?: EjectionOptions;
  /** DNS resolvers: refresh period and rate limit. */
  dns?: DnsResolverOptions;
  /** How long calls wait for the target's first resolution. Default 10 s. */
  resolveTimeoutMs?: number;
  /**
   * Keepalive on every transport: a connection quiet for `intervalMs` is pinged, and closed when the
   * server does not answer within `timeoutMs` (default 20 s) — HTTP/2 PING on mux, Ping/Pong
   * envelopes on pooled, WebSocket pings on ws (there an unanswered ping by the next one). Off by default.
   */
  keepalive?: KeepaliveOptions;
  /** Default `'mux'`. */
  transport?: TransportKind;
  /** Options of the mux transport (TLS, session options). */
  mux?: MuxClientOptions;
  /** Options of the pooled transport (pool size, pipelining, TLS). */
  pooled?: PooledClientOptions;
  /** Options of the WebSocket transport (TLS, path). */
  ws?: WsClientOptions;
}

/**
 * Create a typed client for `service`.
 * @example
 * const client = createClient(Echo, { target: 'static:///127.0.0.1:7000', transport: 'mux' });
 * const res = await client.echo({ text: 'hi' }, { timeoutMs: 1000 });
 * @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET`, `RPC_ERR_INVALID_OPTION`; `RPC_ERR_INVALID_SERVICE`
 *   for a protobuf-es service with a method `close` or `then`. A call given invalid metadata throws
 *   `RPC_ERR_INVALID_METADATA` at once.
 */
export function createClient<M extends MethodMap>(
  service: ServiceDefinition<M>,
  options: ClientOptions,
): Client<M>;
/** A client of a protobuf-es service (`protoc-gen-es` output): methods by `localName`. */
export function createClient<S extends GenServiceMethods>(
  service: ProtoService<S>,
  options: ClientOptions,
): Client<ProtoMethods<S>>;
export function createClient(
  input: ServiceDefinition | DescService,
  options: ClientOptions,
): Client<MethodMap> {
  const kind = options.transport ?? 'mux';
  if (kind !== 'mux' && kind !== 'pooled' && kind !== 'ws') {
    throw new RpcUsageError('RPC_ERR_INVALID_OPTION', `unknown transport ${JSON.stringify(kind)}`);
  }
  const logger = options.logger ?? nodeDebugLogger();
  return buildClient(input, options, {
    kind,
    logger,
    balancer: balancerFor(options.balancer),
    resolver: (service) => resolverFor(options.target, options.dns, service.name),
    transport: (maxFrameBytes) => transportFactory(kind, options, maxFrameBytes, logger),
    channel: {
      ...(options.healthCheck === undefined ? {} : { healthCheck: healthChecker(options.healthCheck) }),
      ...(options.ejection === undefined ? {} : { ejection: options.ejection }),
      ...(options.resolveTimeoutMs === undefined ? {} : { resolveTimeoutMs: options.resolveTimeoutMs }),
    },
  });
}
