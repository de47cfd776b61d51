/**
 * What every client shares, in Node and in a browser: the typed client and its methods, what an
 * interceptor sees, and the options both kinds of client take.
 */
import type { BackoffOptions } from './channel/backoff.js';
import type { HedgeOptions, RetryOptions } from './channel/channel.js';
import type { CallOptions, ResponseStream } from './client-call.js';
import type { Interceptor } from './interceptors.js';
import type { Logger } from './log.js';
import type { Metadata } from './metadata.js';
import type { MethodDescriptor, MethodKind, MethodMap } from './service.js';
import type { MessageCounts } from './tracing.js';

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

/** Options every client takes, in Node and in a browser. */
export interface BaseClientOptions {
  /** Retries of failed attempts (idempotent methods, and calls the server never saw). Default 3 attempts, budgeted. */
  retry?: RetryOptions;
  /** Hedged requests for idempotent unary methods (off by default). */
  hedge?: HedgeOptions;
  /** Reconnect backoff of an endpoint that could not be reached. */
  reconnect?: BackoffOptions;
  interceptors?: ClientInterceptor[];
  /** Largest message sent or received, unless the method says otherwise. Default 4 MiB. */
  maxMessageBytes?: number;
  /** gzip messages at or above a size. Default off. */
  compression?: { thresholdBytes: number };
  /**
   * Told what the channel does on its own: endpoint states (with the error of a failure),
   * ejections, retries, resolution. A pino-shaped object (`debug`, `info`, `warn`, `error`, each
   * `(fields, message)`). Default in Node: stderr when `NODE_DEBUG` names `weft`, else nothing.
   */
  logger?: Logger;
  /** Timeout applied to calls that set none. Default: none. */
  defaultTimeoutMs?: number;
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
