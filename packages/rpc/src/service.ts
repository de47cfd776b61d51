import type { DescService } from '@bufbuild/protobuf';
import { defaultCodec, type MessageCodec } from './codec.js';
import { RpcUsageError } from './errors.js';

/** The four call shapes. */
export type MethodKind = 'unary' | 'serverStream' | 'clientStream' | 'bidiStream';

/** Options of a method (`unary<Req, Res>({ idempotent: true })`). */
export interface MethodOptions {
  /** Safe to retry after it may have reached the server (retries, hedging). Default false. */
  idempotent?: boolean;
  /**
   * Codec of this method's requests and responses, for an encoding that needs no schema (msgpack,
   * JSON). Default: the service's, else plain msgpack.
   */
  codec?: MessageCodec;
  /** Codec of the requests alone (a schema-bound encoding such as protobuf); wins over `codec`. */
  requestCodec?: MessageCodec;
  /** Codec of the responses alone; wins over `codec`. Must have the request codec's `name`. */
  responseCodec?: MessageCodec;
  /**
   * The method's name in its wire path `/<service>/<name>`, where it differs from its key in the
   * service (a `.proto` method `SayHello`, called as `client.sayHello`). Default: the key.
   */
  name?: string;
  /** Largest message, in bytes, sent or received (before compression). Default: the server's or client's. */
  maxMessageBytes?: number;
}

/**
 * A method's description. `Req` and `Res` exist only in the types: the messages a handler receives
 * and a client gets back; `ReqIn` and `ResIn` what a client may send and a handler may return
 * (the same, except for protobuf-es methods, which take init shapes).
 */
export interface MethodDescriptor<
  Req = unknown,
  Res = unknown,
  K extends MethodKind = MethodKind,
  ReqIn = Req,
  ResIn = Res,
> {
  readonly kind: K;
  readonly options: Readonly<MethodOptions>;
  /** @internal phantom types */
  readonly _types?: { req: Req; res: Res; reqIn: ReqIn; resIn: ResIn };
}

/** A unary method: one request, one response. */
export function unary<Req, Res>(options: MethodOptions = {}): MethodDescriptor<Req, Res, 'unary'> {
  return { kind: 'unary', options };
}
/** One request, a stream of responses. */
export function serverStream<Req, Res>(
  options: MethodOptions = {},
): MethodDescriptor<Req, Res, 'serverStream'> {
  return { kind: 'serverStream', options };
}
/** A stream of requests, one response. */
export function clientStream<Req, Res>(
  options: MethodOptions = {},
): MethodDescriptor<Req, Res, 'clientStream'> {
  return { kind: 'clientStream', options };
}
/** Streams both ways, full duplex. */
export function bidiStream<Req, Res>(options: MethodOptions = {}): MethodDescriptor<Req, Res, 'bidiStream'> {
  return { kind: 'bidiStream', options };
}

/** A service's methods by name. */
// biome-ignore lint/suspicious/noExplicitAny: method types vary per entry; inference recovers them.
export type MethodMap = Record<string, MethodDescriptor<any, any, MethodKind, any, any>>;

/** A defined service: its full name and methods, plus each method's wire path. */
export interface ServiceDefinition<M extends MethodMap = MethodMap> {
  /** Full name, `package.Service` (`weft.echo.v1.Echo`). */
  readonly name: string;
  readonly methods: M;
  /** Options shared by the methods (a method's own options win). */
  readonly options: Readonly<ServiceOptions>;
  /** The protobuf-es descriptor this definition was made from, if any (its codecs need the runtime). */
  readonly proto?: DescService;
}

/** Options of {@link defineService}. */
export interface ServiceOptions {
  /** Codec of every method that names none (both directions). Default plain msgpack. */
  codec?: MessageCodec;
}

const SERVICE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names a client has for itself (`close`) or that would make it a thenable (`then`). */
export const CLIENT_MEMBERS: ReadonlySet<string> = new Set(['close', 'then']);

/**
 * Define a service: a name and its methods. Types are inferred; no code generation.
 * @example
 * const Echo = defineService('weft.echo.v1.Echo', { echo: unary<Req, Res>({ idempotent: true }) });
 * @throws {RpcUsageError} `RPC_ERR_INVALID_SERVICE` for a malformed service or method name, or a
 * method keyed `close` or `then` (the client's own members).
 */
export function defineService<M extends MethodMap>(
  name: string,
  methods: M,
  options: ServiceOptions = {},
): ServiceDefinition<M> {
  if (!SERVICE_NAME.test(name)) {
    throw new RpcUsageError('RPC_ERR_INVALID_SERVICE', `invalid service name ${JSON.stringify(name)}`);
  }
  for (const method of Object.keys(methods)) {
    const wire = methods[method]?.options?.name;
    if (!METHOD_NAME.test(method) || (wire !== undefined && !METHOD_NAME.test(wire))) {
      throw new RpcUsageError(
        'RPC_ERR_INVALID_SERVICE',
        `invalid method name ${JSON.stringify(wire === undefined ? method : wire)}`,
      );
    }
    if (CLIENT_MEMBERS.has(method)) {
      throw new RpcUsageError(
        'RPC_ERR_INVALID_SERVICE',
        `method ${method} would hide the client's own ${method}: give it another key, with \`{ name: '${method}' }\` for the wire`,
      );
    }
    const kind = methods[method]?.kind;
    if (kind !== 'unary' && kind !== 'serverStream' && kind !== 'clientStream' && kind !== 'bidiStream') {
      throw new RpcUsageError('RPC_ERR_INVALID_SERVICE', `method ${method} is not a method descriptor`);
    }
    methodCodecs(name, method, methods[method]!, options);
  }
  return { name, methods, options };
}

/** A method's codecs, one per direction, and the content-subtype they share. @internal */
export interface MethodCodecs {
  readonly request: MessageCodec;
  readonly response: MessageCodec;
  /** Both codecs' `name`: the method's gRPC content-subtype. */
  readonly subtype: string;
}

const SUBTYPE = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * The codecs a method uses: its own `requestCodec`/`responseCodec`, else its `codec`, else the
 * service's, else plain msgpack.
 * @throws {RpcUsageError} `RPC_ERR_INVALID_SERVICE` when the two directions name different
 * content-subtypes, or a name is not a valid subtype.
 * @internal
 */
export function methodCodecs(
  service: string,
  method: string,
  descriptor: MethodDescriptor,
  serviceOptions: Readonly<ServiceOptions>,
): MethodCodecs {
  const both = descriptor.options.codec ?? serviceOptions.codec ?? defaultCodec;
  const request = descriptor.options.requestCodec ?? both;
  const response = descriptor.options.responseCodec ?? both;
  if (request.name !== response.name || !SUBTYPE.test(request.name)) {
    throw new RpcUsageError(
      'RPC_ERR_INVALID_SERVICE',
      `${methodPath(service, method)}: request and response codecs must share one content-subtype ` +
        `([a-z0-9._-]), got ${JSON.stringify(request.name)} and ${JSON.stringify(response.name)}`,
    );
  }
  return { request, response, subtype: request.name };
}

/** The wire path of a service's method `key`. @internal */
export function wirePath(service: string, key: string, descriptor: MethodDescriptor): string {
  return methodPath(service, descriptor.options.name ?? key);
}

/** `/<service>/<method>`, the gRPC `:path`, used by every transport. */
export function methodPath(service: string, method: string): string {
  return `/${service}/${method}`;
}

/** Request type of a method descriptor (as a handler receives it). */
// biome-ignore lint/suspicious/noExplicitAny: conditional type extraction.
export type RequestOf<D> = D extends MethodDescriptor<infer Req, any, any, any, any> ? Req : never;
/** Response type of a method descriptor (as a client receives it). */
// biome-ignore lint/suspicious/noExplicitAny: conditional type extraction.
export type ResponseOf<D> = D extends MethodDescriptor<any, infer Res, any, any, any> ? Res : never;
