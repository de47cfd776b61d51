import type { DescService } from '@bufbuild/protobuf';
import type { GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { ServerCallListener, ServerTransportCall, TransportServer } from './call.js';
import { checkPositive } from './check-option.js';
import { DEFAULT_MAX_MESSAGE_BYTES, type TransportKind } from './client-types.js';
import { ServerCallContext } from './context.js';
import { type Registrar, registrarFactory } from './discovery.js';
import { MAX_METADATA_BYTES } from './envelope.js';
import { RpcError, RpcUsageError } from './errors.js';
import { Health } from './health/health.js';
import { HealthService } from './health/service.js';
import type { Interceptor } from './interceptors.js';
import { Metadata } from './metadata.js';
import { listenMux } from './node/mux-transport.js';
import { listenPooled } from './node/pooled-transport.js';
import type { ServerTlsOptions } from './node/tls-options.js';
import { listenWs, type WsListenOptions } from './node/ws-transport.js';
import { loadProtobuf, protobufRuntime } from './protobuf/runtime.js';
import {
  isProtoService,
  type ProtoMethods,
  type ProtoService,
  protoServiceDefinition,
} from './protobuf/service.js';
import { reflectionImplementation } from './reflection/reflection.js';
import { ReflectionService, ReflectionServiceV1Alpha } from './reflection/service.js';
import type { RegisterOptions } from './registry/registration.js';
import { type AnyHandler, type CallEnvironment, ServerCall } from './server-call.js';
import { type ConnectionHooks, type ServerConnection, ServerConnections } from './server-connections.js';
import type { MethodDescriptor, MethodKind, MethodMap, ServiceDefinition } from './service.js';
import { methodCodecs, wirePath } from './service.js';
import { Status } from './status.js';
// The Node runtime for the call layer: gzip, diagnostics channels, the handler scope.
import './node/runtime.js';

/** A server interceptor: see {@link Interceptor}. `next()` runs the handler and sends its responses. */
export type ServerInterceptor = Interceptor<ServerCallContext>;

/** Options of {@link createServer}. */
export interface ServerOptions {
  interceptors?: ServerInterceptor[];
  /**
   * Calls served at once, over every connection and transport; beyond it RESOURCE_EXHAUSTED.
   * When the server is full, a connection holding fewer than its fair share (this limit divided
   * among the connections with calls) still gets its call in: the oldest call of the connection
   * holding the most is ended with RESOURCE_EXHAUSTED instead. Default 10,000.
   */
  maxConcurrentCalls?: number;
  /** Calls at once on one client connection (and at most each transport's own cap). Default `maxConcurrentCalls / 4`. */
  maxCallsPerConnection?: number;
  /**
   * Close a client connection that has had no call for this long, gracefully (GOAWAY on mux, a
   * Goaway envelope on pooled and ws); clients reconnect when they need to. 0: never. Default 5 min.
   */
  idleTimeoutMs?: number;
  /**
   * How long a unary or server-streaming call may take for its request to arrive complete, when it
   * has no earlier deadline; then DEADLINE_EXCEEDED. 0: no limit. Default 30 s.
   */
  requestTimeoutMs?: number;
  /** How long a client may take for its WebSocket upgrade or TLS handshake. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Largest message received or sent, unless the method says otherwise. Default 4 MiB. */
  maxMessageBytes?: number;
  /** gzip responses at or above a size, to clients that accept gzip. Default off. */
  compression?: { thresholdBytes: number };
  /** Told about anything a handler throws that is not an RpcError (the client sees only UNKNOWN). */
  onError?: (err: unknown, ctx: ServerCallContext) => void;
  /**
   * Close each connection gracefully after about this long (±10%): HTTP/2 GOAWAY on mux, a Goaway
   * envelope on pooled and ws. Calls in flight finish; clients reconnect, and so rebalance over
   * servers that joined since. Default off.
   */
  maxConnectionAgeMs?: number;
  /** Serve `grpc.health.v1.Health` (`server.health` sets what it reports). Default true. */
  health?: boolean;
  /**
   * Serve `grpc.reflection.v1.ServerReflection` and its `v1alpha` twin, which describe the
   * protobuf-es services and the standard ones (services from `defineService` have no .proto and
   * are not listed). Anyone who can call the server can read those schemas. Default true.
   */
  reflection?: boolean;
}

/** Options of `server.listen`. */
export interface ListenOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default `'mux'`. */
  transport?: TransportKind;
  /** Serve over TLS (`key`, `cert`, ...). */
  tls?: ServerTlsOptions;
  /** Options of the `ws` transport: who may call from a web page, what plain HTTP requests get. */
  ws?: WsListenOptions;
  /**
   * Register this address in a registry (`{ target: 'registry://host:port', ttlSeconds }`), one
   * lease per service served, kept alive while listening and removed by `close()`.
   */
  register?: RegisterOptions;
}

/** Where a server listens. */
export interface ListenAddress {
  host: string;
  port: number;
  transport: TransportKind;
}

/** Handler type for a method descriptor. */
export type Handler<D> =
  // biome-ignore lint/suspicious/noExplicitAny: conditional type extraction.
  D extends MethodDescriptor<infer Req, any, any, any, infer Res>
    ? D['kind'] extends 'unary'
      ? (request: Req, ctx: ServerCallContext) => Promise<Res> | Res
      : D['kind'] extends 'serverStream'
        ? (request: Req, ctx: ServerCallContext) => AsyncIterable<Res>
        : D['kind'] extends 'clientStream'
          ? (requests: AsyncIterable<Req>, ctx: ServerCallContext) => Promise<Res> | Res
          : (requests: AsyncIterable<Req>, ctx: ServerCallContext) => AsyncIterable<Res>
    : never;

/** An implementation of every method of a service. */
export type ServiceImplementation<M extends MethodMap> = { [K in keyof M]: Handler<M[K]> };

interface Route {
  service: string;
  method: string;
  kind: MethodKind;
  env: CallEnvironment;
  maxMessageBytes: number;
  codecName: string;
  /** A protobuf-es service's method: its codecs need the protobuf runtime. */
  proto: boolean;
}

/** The services every server serves unless turned off: not announced in health or registries. */
const STANDARD_SERVICES = new Set([
  HealthService.name,
  ReflectionService.name,
  ReflectionServiceV1Alpha.name,
]);

/** Default `maxConcurrentCalls`. */
export const DEFAULT_MAX_CONCURRENT_CALLS = 10_000;
/** Default `idleTimeoutMs`: 5 min. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
/** Default `requestTimeoutMs`. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default `handshakeTimeoutMs`. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** An RPC server: add services, listen on one or more transports, close gracefully. */
// Server is the transports' CallDispatcher (`dispatch`, `openConnection`), structurally: those
// members are internal, and an `implements` clause naming them would not survive stripInternal.
export class Server {
  readonly #routes = new Map<string, Route>();
  readonly #options: ServerOptions;
  readonly #listeners: TransportServer[] = [];
  readonly #registrations: Registrar[] = [];
  /** The protobuf-es services served, which reflection describes. */
  readonly #protoServices: DescService[] = [];
  readonly #maxMessageBytes: number;
  readonly #connections: ServerConnections;
  readonly #requestTimeoutMs: number;
  readonly #handshakeTimeoutMs: number;
  #closing = false;

  /** Health statuses this server reports over `grpc.health.v1.Health` (served by every server). */
  readonly health = new Health();

  constructor(options: ServerOptions = {}) {
    this.#options = options;
    const maxCalls = options.maxConcurrentCalls ?? DEFAULT_MAX_CONCURRENT_CALLS;
    const maxCallsPerConnection = options.maxCallsPerConnection ?? Math.max(1, Math.ceil(maxCalls / 4));
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    for (const [name, value] of [
      ['maxConcurrentCalls', maxCalls],
      ['maxCallsPerConnection', maxCallsPerConnection],
      ['maxMessageBytes', this.#maxMessageBytes],
      ['handshakeTimeoutMs', this.#handshakeTimeoutMs],
      ...(options.maxConnectionAgeMs === undefined
        ? []
        : [['maxConnectionAgeMs', options.maxConnectionAgeMs] as const]),
    ] as const) {
      checkPositive(name, value);
    }
    for (const [name, value] of [
      ['idleTimeoutMs', idleTimeoutMs],
      ['requestTimeoutMs', this.#requestTimeoutMs],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new RpcUsageError('RPC_ERR_INVALID_OPTION', `${name} must be an integer ≥ 0, got ${value}`);
      }
    }
    this.#connections = new ServerConnections({ maxCalls, maxCallsPerConnection, idleTimeoutMs });
    if (options.health !== false) this.add(HealthService, this.health.implementation());
    if (options.reflection !== false) {
      const implementation = reflectionImplementation(() => this.#described());
      this.add(ReflectionService, implementation).add(ReflectionServiceV1Alpha, implementation);
    }
  }

  /** What reflection describes: the protobuf-es services, and the standard services served. */
  *#described(): Iterable<DescService | string> {
    yield* this.#protoServices;
    for (const route of this.#routes.values()) {
      if (STANDARD_SERVICES.has(route.service)) yield route.service;
    }
  }

  /** Calls being served now. */
  get activeCalls(): number {
    return this.#connections.active;
  }

  /** Client connections open now, over every transport. */
  get connections(): number {
    return this.#connections.size;
  }

  /** @internal called by transports when they accept a connection. */
  openConnection(hooks: ConnectionHooks): ServerConnection {
    return this.#connections.open(hooks);
  }

  /**
   * Serve `service` — a `defineService` result, or a protobuf-es service descriptor generated by
   * `protoc-gen-es` — with `implementation` (one handler per method, by method key or `localName`).
   * @throws {RpcUsageError} `RPC_ERR_INVALID_SERVICE` for a service added twice or a missing handler.
   */
  add<M extends MethodMap>(
    service: ServiceDefinition<M>,
    implementation: NoInfer<ServiceImplementation<M>>,
  ): this;
  add<S extends GenServiceMethods>(
    service: ProtoService<S>,
    // NoInfer: the service alone gives S, so that inline handlers are typed from it.
    implementation: NoInfer<ServiceImplementation<ProtoMethods<S>>>,
  ): this;
  add(input: ServiceDefinition | DescService, implementation: object): this {
    const service = isProtoService(input) ? protoServiceDefinition(input) : input;
    for (const name of Object.keys(service.methods)) {
      const descriptor = service.methods[name]!;
      const path = wirePath(service.name, name, descriptor);
      if (this.#routes.has(path)) {
        throw new RpcUsageError('RPC_ERR_INVALID_SERVICE', `${path} is already served`);
      }
      const handler = (implementation as Record<string, AnyHandler | undefined>)[name];
      if (typeof handler !== 'function') {
        throw new RpcUsageError('RPC_ERR_INVALID_SERVICE', `no handler for ${path}`);
      }
      const codecs = methodCodecs(service.name, name, descriptor, service.options);
      this.#routes.set(path, {
        service: service.name,
        method: name,
        kind: descriptor.kind,
        maxMessageBytes: descriptor.options.maxMessageBytes ?? this.#maxMessageBytes,
        codecName: codecs.subtype,
        proto: service.proto !== undefined,
        env: {
          codecs,
          kind: descriptor.kind,
          handler: handler.bind(implementation),
          interceptors: this.#options.interceptors ?? [],
          compressAt: this.#options.compression?.thresholdBytes ?? Number.POSITIVE_INFINITY,
          onError: this.#options.onError,
          connections: this.#connections,
          requestTimeoutMs: this.#requestTimeoutMs,
        },
      });
    }
    if (isProtoService(input)) this.#protoServices.push(input);
    if (!STANDARD_SERVICES.has(service.name)) this.health.set(service.name, 'SERVING');
    return this;
  }

  /** The largest message any served method accepts: transports size their frame limits by it. @internal */
  get _maxMessageBytes(): number {
    let max = this.#maxMessageBytes;
    for (const route of this.#routes.values()) max = Math.max(max, route.maxMessageBytes);
    return max;
  }

  /**
   * Listen on a transport. Call again to serve the same services on another transport or port.
   * @throws {RpcUsageError} `RPC_ERR_INVALID_STATE` after `close()`.
   */
  async listen(options: ListenOptions = {}): Promise<ListenAddress> {
    if (this.#closing) throw new RpcUsageError('RPC_ERR_INVALID_STATE', 'the server is closed');
    const transport = options.transport ?? 'mux';
    if (options.register !== undefined) this.#checkRegister(options.register);
    // A protobuf service's codecs need the protobuf runtime: it is loaded before anything listens.
    for (const route of this.#routes.values()) {
      if (route.proto) {
        await loadProtobuf();
        break;
      }
    }
    const at = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      tls:
        options.tls === undefined
          ? undefined
          : { handshakeTimeout: this.#handshakeTimeoutMs, ...options.tls },
      // A frame carries one message plus its envelope: the largest message any method takes, plus metadata.
      maxFrameBytes: this._maxMessageBytes + MAX_METADATA_BYTES + 64,
      maxConnectionAgeMs: this.#options.maxConnectionAgeMs ?? 0,
      handshakeTimeoutMs: this.#handshakeTimeoutMs,
      ws: options.ws,
    };
    let listener: TransportServer;
    if (transport === 'mux') listener = await listenMux(this, at);
    else if (transport === 'pooled') listener = await listenPooled(this, at);
    else if (transport === 'ws') listener = await listenWs(this, at);
    else throw new RpcUsageError('RPC_ERR_INVALID_OPTION', `unknown transport ${JSON.stringify(transport)}`);
    this.#listeners.push(listener);
    if (options.register !== undefined) await this.#register(options.register, listener.address);
    return { ...listener.address, transport };
  }

  /** @throws {RpcUsageError} before anything listens, for a register option that cannot work. */
  #checkRegister(options: RegisterOptions): void {
    registrarFactory(options.target).check(options.target);
    const ttl = options.ttlSeconds ?? 10;
    if (!Number.isInteger(ttl) || ttl < 1) {
      throw new RpcUsageError('RPC_ERR_INVALID_OPTION', 'register.ttlSeconds must be an integer ≥ 1');
    }
  }

  async #register(options: RegisterOptions, at: { host: string; port: number }): Promise<void> {
    const ttl = options.ttlSeconds ?? 10;
    const wildcard = at.host === '0.0.0.0' || at.host === '::';
    const services = [...new Set([...this.#routes.values()].map((r) => r.service))].filter(
      (name) => !STANDARD_SERVICES.has(name),
    );
    const address = {
      host: options.host ?? (wildcard ? '127.0.0.1' : at.host),
      port: options.port ?? at.port,
      ...(options.weight === undefined ? {} : { weight: options.weight }),
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
    };
    const registration = registrarFactory(options.target).create(options.target, services, address, ttl);
    this.#registrations.push(registration);
    await registration.start();
  }

  /**
   * Stop accepting connections and calls, let calls in flight finish for `graceMs` (default 5 s),
   * then cancel what remains and close every connection.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing = true;
    const graceMs = options.graceMs ?? 5000;
    this.health.shutdown();
    // Leave the registry first, so that clients stop choosing this server while it drains.
    await Promise.all(this.#registrations.map((r) => r.stop()));
    await Promise.all(this.#listeners.map((l) => l.close(graceMs)));
  }

  /** @internal called by transports when a call's headers arrive. */
  dispatch(call: ServerTransportCall): ServerCallListener {
    const route = this.#routes.get(call.path);
    // Refusals answer in the content-type the request came in, which the client expects to see.
    const sent = call.contentSubtype;
    call.codecName = sent;
    if (route === undefined) {
      call.finish(new RpcError(Status.UNIMPLEMENTED, `unknown method ${call.path}`), new Metadata());
      return IGNORE;
    }
    call.maxMessageBytes = route.maxMessageBytes;
    if (route.proto && protobufRuntime() === undefined) {
      // A protobuf service added after listen(), in the microtasks before the runtime is there.
      call.finish(new RpcError(Status.UNAVAILABLE, 'the protobuf runtime is still loading'), new Metadata());
      return IGNORE;
    }
    if (sent !== '' && sent !== route.codecName) {
      call.finish(
        new RpcError(
          Status.UNIMPLEMENTED,
          `the request was sent as application/grpc+${sent}; ${call.path} speaks ${route.codecName}`,
        ),
        new Metadata(),
      );
      return IGNORE;
    }
    call.codecName = route.codecName;
    const ctx = new ServerCallContext(
      route.service,
      route.method,
      call.path,
      route.kind,
      call.metadata,
      call.deadline,
      call,
    );
    const served = new ServerCall(call, ctx, route.env, call.connection);
    const refused = this.#connections.admit(call.connection, served);
    if (refused !== undefined) {
      call.finish(refused, new Metadata());
      return IGNORE;
    }
    served.start();
    return served;
  }
}

const IGNORE: ServerCallListener = { onMessage() {}, onHalfClose() {}, onCancel() {} };

/** Create an RPC server. */
export function createServer(options: ServerOptions = {}): Server {
  return new Server(options);
}
