import type { MessageCodec } from './codec.js';
import { RpcUsageError } from './errors.js';

/** The four call shapes. */
export type MethodKind = 'unary' | 'serverStream' | 'clientStream' | 'bidiStream';

/** Options of a method (`unary<Req, Res>({ idempotent: true })`). */
export interface MethodOptions {
  /** Safe to retry after it may have reached the server (used by retries, issue 7). Default false. */
  idempotent?: boolean;
  /** Codec of this method's messages. Default: the service's, else msgpack. */
  codec?: MessageCodec;
  /** Largest message, in bytes, sent or received (before compression). Default: the server's or client's. */
  maxMessageBytes?: number;
}

/** A method's description. `Req` and `Res` exist only in the types. */
export interface MethodDescriptor<Req = unknown, Res = unknown, K extends MethodKind = MethodKind> {
  readonly kind: K;
  readonly options: Readonly<MethodOptions>;
  /** @internal phantom types */
  readonly _types?: { req: Req; res: Res };
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
export type MethodMap = Record<string, MethodDescriptor<any, any, MethodKind>>;

/** A defined service: its full name and methods, plus each method's wire path. */
export interface ServiceDefinition<M extends MethodMap = MethodMap> {
  /** Full name, `package.Service` (`weft.echo.v1.Echo`). */
  readonly name: string;
  readonly methods: M;
  /** Options shared by the methods (a method's own options win). */
  readonly options: Readonly<ServiceOptions>;
}

/** Options of {@link defineService}. */
export interface ServiceOptions {
  /** Codec of every method that names none. Default msgpack. */
  codec?: MessageCodec;
}

const SERVICE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Define a service: a name and its methods. Types are inferred; no code generation.
 * @example
 * const Echo = defineService('weft.echo.v1.Echo', { echo: unary<Req, Res>({ idempotent: true }) });
 * @throws {RpcUsageError} `RPC_ERR_INVALID_SERVICE` for a malformed service or method name.
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
    if (!METHOD_NAME.test(method)) {
      throw new RpcUsageError('RPC_ERR_INVALID_SERVICE', `invalid method name ${JSON.stringify(method)}`);
    }
    const kind = methods[method]?.kind;
    if (kind !== 'unary' && kind !== 'serverStream' && kind !== 'clientStream' && kind !== 'bidiStream') {
      throw new RpcUsageError('RPC_ERR_INVALID_SERVICE', `method ${method} is not a method descriptor`);
    }
  }
  return { name, methods, options };
}

/** `/<service>/<method>`, the gRPC `:path`, used by every transport. */
export function methodPath(service: string, method: string): string {
  return `/${service}/${method}`;
}

/** Request type of a method descriptor. */
// biome-ignore lint/suspicious/noExplicitAny: conditional type extraction.
export type RequestOf<D> = D extends MethodDescriptor<infer Req, any, any> ? Req : never;
/** Response type of a method descriptor. */
// biome-ignore lint/suspicious/noExplicitAny: conditional type extraction.
export type ResponseOf<D> = D extends MethodDescriptor<any, infer Res, any> ? Res : never;
