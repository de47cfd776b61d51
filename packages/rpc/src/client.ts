import type { DescService } from '@bufbuild/protobuf';
import type { GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { MethodInfo } from './call.js';
import type { BackoffOptions } from './channel/backoff.js';
import { type Balancer, type BalancerName, balancerFor } from './channel/balancer.js';
import type { HedgeOptions, RetryOptions } from './channel/channel.js';
import { Channel, type ChannelOptions } from './channel/channel.js';
import type { DnsResolverOptions } from './channel/dns-resolver.js';
import type { EjectionOptions } from './channel/endpoint.js';
import type { HealthCheckOptions } from './channel/health-check.js';
import { checkPositive } from './check-option.js';
import type { CallOptions, ResponseStream } from './client-call.js';
import { methodInvoker } from './client-invoke.js';
import { resolverFor } from './discovery.js';
import { MAX_METADATA_BYTES } from './envelope.js';
import { RpcUsageError } from './errors.js';
import type { Interceptor } from './interceptors.js';
import { clientLogger, type Logger } from './log.js';
import type { Metadata } from './metadata.js';
import { transportFactory } from './node/client-transports.js';
import type { MuxClientOptions } from './node/mux-transport.js';
import type { PooledClientOptions } from './node/pooled-transport.js';
import type { WsClientOptions } from './node/ws-transport.js';
import {
  isProtoService,
  type ProtoMethods,
  type ProtoService,
  protoServiceDefinition,
} from './protobuf/service.js';
import {
  CLIENT_MEMBERS,
  type MethodDescriptor,
  type MethodKind,
  type MethodMap,
  methodCodecs,
  type ServiceDefinition,
  wirePath,
} from './service.js';
import type { MessageCounts } from './tracing.js';
import type { KeepaliveOptions } from './transport/keepalive.js';
// The Node runtime for the call layer: gzip, diagnostics channels, the handler scope.
import './node/runtime.js';

/** Default largest message, sent or received: 4 MiB, as gRPC. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** What a client interceptor sees. Mutate `metadata` (and `request`) before `next()`. */
export interface ClientCallContext {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly kind: MethodKind;
  readonly metadata: Metadata;
  /** The request of unary and server-streaming calls; undefined for the client-streaming shapes. */
  request: unknown;
  /** After `next()`: the response of unary and client-streaming calls. */
  response: unknown;
  /** Epoch ms, or undefined. */
  readonly deadline: number | undefined;
  readonly options: CallOptions;
  /** The client's transport. */
  readonly transport: TransportKind;
  /** Messages and their bytes on the wire (compressed size when compressed), each way, so far. */
  readonly messages: MessageCounts;
  /** `host:port` of the server the call went to: undefined until one is chosen (after `next()` starts). */
  readonly peer: string | undefined;
}

/** A client interceptor (logging, auth, metrics): see {@link Interceptor}. */
export type ClientInterceptor = Interceptor<ClientCallContext>;

/** Which transport a client uses. */
export type TransportKind = 'mux' | 'pooled' | 'ws';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /**
   * Where the servers are: `static:///host:port[,host:port]` (or a bare `host:port,...`),
   * `dns:[//server:port/]name:port`, `dns+srv:[//server:port/]_service._proto.name`,
   * `registry://host:port` (a weft registry: `startRegistry()` or `npx weft-registry`).
   */
  target: string;
  /** How calls are spread over the addresses: `'p2c'` (default), `'round-robin'`, `'pick-first'`, `'consistent-hash'`, or your own. */
  balancer?: BalancerName | Balancer;
  /** Retries of failed attempts (idempotent methods, and calls the server never saw). Default 3 attempts, budgeted. */
  retry?: RetryOptions;
  /** Hedged requests for idempotent unary methods (off by default). */
  hedge?: HedgeOptions;
  /** Ask each server's health service every `intervalMs`; servers not SERVING get no calls. Off by default. */
  healthCheck?: HealthCheckOptions;
  /** Reconnect backoff of an endpoint that could not be reached. */
  reconnect?: BackoffOptions;
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
  interceptors?: ClientInterceptor[];
  /** Largest message sent or received, unless the method says otherwise. Default 4 MiB. */
  maxMessageBytes?: number;
  /** gzip messages at or above a size. Default off. */
  compression?: { thresholdBytes: number };
  /**
   * Told what the channel does on its own: endpoint states (with the error of a failure),
   * ejections, retries, resolution. A pino-shaped object (`debug`, `info`, `warn`, `error`, each
   * `(fields, message)`). Default: stderr when `NODE_DEBUG` names `weft`, else nothing.
   */
  logger?: Logger;
  /** Timeout applied to calls that set none. Default: none. */
  defaultTimeoutMs?: number;
  /** Options of the mux transport (TLS, session options). */
  mux?: MuxClientOptions;
  /** Options of the pooled transport (pool size, pipelining, TLS). */
  pooled?: PooledClientOptions;
  /** Options of the WebSocket transport (TLS, path). */
  ws?: WsClientOptions;
}

type Requests<Req> = AsyncIterable<Req> | Iterable<Req>;

/** The client method for a method descriptor. */
export type ClientMethod<D> =
  // biome-ignore lint/suspicious/noExplicitAny: conditional type extraction.
  D extends MethodDescriptor<any, infer Res, any, infer Req, any>
    ? D['kind'] extends 'unary'
      ? (request: Req, options?: CallOptions) => Promise<Res>
      : D['kind'] extends 'serverStream'
        ? (request: Req, options?: CallOptions) => ResponseStream<Res>
        : D['kind'] extends 'clientStream'
          ? (requests: Requests<Req>, options?: CallOptions) => Promise<Res>
          : (requests: Requests<Req>, options?: CallOptions) => ResponseStream<Res>
    : never;

/** A typed client: one function per method, plus `close()`. */
export type Client<M extends MethodMap> = { readonly [K in keyof M]: ClientMethod<M[K]> } & {
  /** Close the client's connections; calls in flight fail with UNAVAILABLE. */
  close(): void;
};

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
  const service = isProtoService(input) ? protoServiceDefinition(input) : input;
  const proto = service.proto !== undefined;
  const resolver = resolverFor(options.target, options.dns, service.name);
  const kind = options.transport ?? 'mux';
  if (kind !== 'mux' && kind !== 'pooled' && kind !== 'ws') {
    throw new RpcUsageError('RPC_ERR_INVALID_OPTION', `unknown transport ${JSON.stringify(kind)}`);
  }
  const maxDefault = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  checkPositive('maxMessageBytes', maxDefault);
  // Envelope transports bound a frame by the largest message any method takes, plus its metadata.
  let maxMessage = maxDefault;
  for (const m of Object.values(service.methods))
    maxMessage = Math.max(maxMessage, m.options.maxMessageBytes ?? 0);
  const maxFrameBytes = maxMessage + MAX_METADATA_BYTES + 64;
  const logger = clientLogger(options.logger);
  const makeTransport = transportFactory(kind, options, maxFrameBytes, logger);
  const channelOptions: ChannelOptions = {
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.hedge === undefined ? {} : { hedge: options.hedge }),
    ...(options.healthCheck === undefined ? {} : { healthCheck: options.healthCheck }),
    service: service.name,
    ...(options.reconnect === undefined ? {} : { reconnect: options.reconnect }),
    ...(options.ejection === undefined ? {} : { ejection: options.ejection }),
    ...(options.resolveTimeoutMs === undefined ? {} : { resolveTimeoutMs: options.resolveTimeoutMs }),
    logger,
  };
  const channel = new Channel(
    resolver,
    balancerFor(options.balancer),
    (a) => makeTransport(a.host, a.port),
    channelOptions,
  );
  const compressAt = options.compression?.thresholdBytes ?? Number.POSITIVE_INFINITY;
  const allInterceptors = options.interceptors ?? [];
  const client: Record<string, unknown> = {
    close: () => channel.close(),
  };
  channels.set(client, channel);
  for (const name of Object.keys(service.methods)) {
    // A protobuf-es service's method `Close` has the localName `close`: it cannot be the client's.
    if (CLIENT_MEMBERS.has(name)) {
      throw new RpcUsageError(
        'RPC_ERR_INVALID_SERVICE',
        `${service.name} has a method ${name}, which would hide the client's own ${name}`,
      );
    }
    const descriptor = service.methods[name]!;
    const codecs = methodCodecs(service.name, name, descriptor, service.options);
    const info: MethodInfo = {
      path: wirePath(service.name, name, descriptor),
      kind: descriptor.kind,
      codecName: codecs.subtype,
      maxMessageBytes: descriptor.options.maxMessageBytes ?? maxDefault,
      idempotent: descriptor.options.idempotent ?? false,
    };
    client[name] = methodInvoker({
      service: service.name,
      method: name,
      info,
      codecs,
      channel,
      proto,
      compressAt,
      interceptors: allInterceptors,
      defaultTimeoutMs: options.defaultTimeoutMs,
      transport: kind,
    });
  }
  return client as Client<MethodMap>;
}

const channels = new WeakMap<object, Channel>();

/**
 * The channel behind a client: `channelOf(client).stats()` gives calls started, succeeded, failed
 * and in flight, retries, and each endpoint's state.
 * @throws {RpcUsageError} `RPC_ERR_INVALID_OPTION` for an object `createClient` did not make.
 */
export function channelOf(client: object): Channel {
  const channel = channels.get(client);
  if (channel === undefined)
    throw new RpcUsageError('RPC_ERR_INVALID_OPTION', 'not a client made by createClient');
  return channel;
}
