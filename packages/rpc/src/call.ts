/**
 * The contract between the call logic (client.ts, server.ts) and a transport (mux, pooled, ws).
 * A transport moves one call's headers, messages (bytes, already encoded by the codec) and final
 * status; everything else — deadlines, codecs, compression, interceptors, the four shapes — lives
 * above it, once, so every transport behaves the same.
 * Internal to the package (the entry points export only what their users need of it).
 */
import type { TransportKind } from './client-types.js';
import type { RpcError } from './errors.js';
import { Metadata } from './metadata.js';
import type { ConnectionHooks, ServerConnection } from './server-connections.js';
import type { MethodKind } from './service.js';

/** What a transport needs to know about a method. */
export interface MethodInfo {
  readonly path: string;
  readonly kind: MethodKind;
  /** gRPC content-subtype of the method's codec (`msgpack`). */
  readonly codecName: string;
  readonly maxMessageBytes: number;
  /** Safe to send twice: a channel may retry it after UNAVAILABLE. */
  readonly idempotent: boolean;
}

/** Start of a client call. */
export interface ClientCallStart {
  readonly method: MethodInfo;
  readonly metadata: Metadata;
  /** Epoch ms, or undefined for no deadline. */
  readonly deadline: number | undefined;
  /** Whether messages this call sends may be compressed (`grpc-encoding: gzip`). */
  readonly compress: boolean;
  /** Channel: the key of consistent-hash routing. */
  readonly routingKey?: string | undefined;
  /** Channel: wait for an available endpoint rather than fail at once. */
  readonly waitForReady?: boolean | undefined;
}

/** Where a transport reports a client call's progress. `onStatus` comes exactly once, last. */
export interface ClientCallListener {
  onHeaders(metadata: Metadata): void;
  onMessage(bytes: Uint8Array, compressed: boolean): void;
  /** `error` undefined means OK. */
  onStatus(error: RpcError | undefined, trailers: Metadata): void;
}

/** A client call inside a transport. */
export interface ClientTransportCall {
  /**
   * Queue a message (`end`: the last one, half-close after it). Returns a promise when the caller
   * should wait before the next write (backpressure), else undefined.
   */
  write(bytes: Uint8Array, compressed: boolean, end: boolean): Promise<void> | undefined;
  /** Half-close without a message. */
  end(): void;
  /** Abandon the call (the server is told: RST_STREAM CANCEL, a cancel envelope, or a closed connection). */
  cancel(): void;
  /** Stop and restart delivery of messages (flow control reaches the server). */
  pause(): void;
  resume(): void;
  /** `host:port` of the server the latest attempt went to, once one was chosen. */
  readonly peer?: string | undefined;
}

const INERT: ClientTransportCall = {
  write: () => undefined,
  end() {},
  cancel() {},
  pause() {},
  resume() {},
};

/** A call that fails before it reaches the wire: `error` is reported on the next microtask. */
export function failedCall(listener: ClientCallListener, error: RpcError): ClientTransportCall {
  queueMicrotask(() => listener.onStatus(error, new Metadata()));
  return INERT;
}

/** What a transport reports about its connections to one endpoint. */
export interface TransportStats {
  /** Connections open (or opening) now. */
  connections: number;
  /** TLS connections made so far that resumed a session (a ticket) instead of a full handshake. */
  tlsResumed: number;
}

/** A way to carry calls to one endpoint. */
export interface ClientTransport {
  /** Its connections, for the channel's stats. */
  connectionStats?(): TransportStats;
  /**
   * Start a call. Never throws: failures arrive through `listener.onStatus` — and never before
   * `start()` has returned (a failure found at once is reported on a later microtask, as
   * `failedCall` does), so a caller can finish its own bookkeeping first.
   */
  start(call: ClientCallStart, listener: ClientCallListener): ClientTransportCall;
  /** Close connections; calls in flight fail with UNAVAILABLE. */
  close(): void;
}

/** A call as a server transport sees it. */
export interface ServerTransportCall {
  readonly path: string;
  readonly metadata: Metadata;
  /** Epoch ms, or undefined. */
  readonly deadline: number | undefined;
  /** `host:port` of the client. */
  readonly peer: string;
  /** Whether the client accepts gzip-compressed responses. */
  readonly acceptsGzip: boolean;
  /**
   * The content-subtype the client sent (`msgpack` of `application/grpc+msgpack`), lowercase;
   * `''` when it named none (plain `application/grpc`), which any method accepts.
   */
  readonly contentSubtype: string;
  /** The client connection the call came on. */
  readonly connection: ServerConnection;
  /** The transport it came over. */
  readonly transport: TransportKind;
  /** Set by the dispatcher before the first message: the receive limit (bytes, after decompression). */
  maxMessageBytes: number;
  /**
   * Set by the dispatcher: the call's codec name, for the response content-type (`''`: plain
   * `application/grpc`). A call refused before its method is known answers in the request's own.
   */
  codecName: string;
  sendHeaders(metadata: Metadata): void;
  /** Like {@link ClientTransportCall.write}. */
  write(bytes: Uint8Array, compressed: boolean): Promise<void> | undefined;
  /** Send the status (`error` undefined: OK) and trailers; the call is over. Idempotent. */
  finish(error: RpcError | undefined, trailers: Metadata): void;
  pause(): void;
  resume(): void;
}

/** Where a server transport delivers a call's inbound events. */
export interface ServerCallListener {
  onMessage(bytes: Uint8Array, compressed: boolean): void;
  onHalfClose(): void;
  /** The client cancelled, reset the stream, or the connection died. Nothing can be sent any more. */
  onCancel(error: RpcError): void;
}

/** The server side of every transport calls this when a call's headers arrive. */
export interface CallDispatcher {
  dispatch(call: ServerTransportCall): ServerCallListener;
  /** A transport accepted a client connection; it calls `closed()` on the result when it ends. */
  openConnection(hooks: ConnectionHooks): ServerConnection;
}

/** A listening transport server. */
export interface TransportServer {
  /** Where it listens. */
  readonly address: { host: string; port: number };
  /** Stop accepting; let calls in flight finish for `graceMs`, then cancel them and close. */
  close(graceMs: number): Promise<void>;
}
