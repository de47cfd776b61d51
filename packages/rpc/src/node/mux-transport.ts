/**
 * gRPC over `@weft/mux` (HTTP/2), as grpc/grpc doc/PROTOCOL-HTTP2.md describes it: POST to
 * `/<service>/<method>`, `content-type: application/grpc+<codec>`, `te: trailers`, Length-Prefixed
 * messages, `grpc-status`/`grpc-message` trailers (or Trailers-Only), `grpc-timeout`, RST_STREAM
 * CANCEL on cancellation. A stock grpc-js peer talks to it.
 */

import { type FrameDecoder, view } from '@weft/framing';
import { ErrorCode } from '@weft/mux';
import {
  type CallbackStream,
  connect,
  createSecureServer,
  createServer,
  type MuxSession,
  type SessionOptions,
  type StreamCallbacks,
} from '@weft/mux/node';
import {
  type CallDispatcher,
  type ClientCallListener,
  type ClientCallStart,
  type ClientTransport,
  type ClientTransportCall,
  failedCall,
  type MethodInfo,
  type ServerCallListener,
  type ServerTransportCall,
  type TransportServer,
  type TransportStats,
} from '../call.js';
import { encodeTimeout, parseTimeout } from '../deadline.js';
import { RpcError, RpcUsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { EMPTY_METADATA, Metadata } from '../metadata.js';
import type { ServerConnection } from '../server-connections.js';
import { Status } from '../status.js';
import {
  contentSubtype,
  type Fields,
  messageChunks,
  messageCodec,
  metadataToFields,
  statusFields,
  statusFromHead,
  statusFromHttp,
} from '../transport/grpc-wire.js';
import { maxAgeTimer } from '../transport/max-age.js';
import { mismatchHint, sniffFirstBytes } from '../transport/mismatch.js';
import {
  type FieldValue,
  type ReceivedFields,
  type ReceivedHead,
  readHead,
} from '../transport/received-head.js';
import { closeListener, type ListenAt, listenOn } from './listen.js';
import type { ClientTlsOptions } from './tls-options.js';

/** Options of the mux client transport. */
export interface MuxClientOptions {
  /** Connect over TLS (ALPN h2) with these options. */
  tls?: ClientTlsOptions;
  /** Session options of `@weft/mux` (keepalive, windows, ...). */
  session?: SessionOptions;
  /**
   * Connection scaling: another HTTP/2 connection to the endpoint opens when every one has this
   * many calls in flight. Default: the server's MAX_CONCURRENT_STREAMS (100 until it is known).
   */
  streamsPerConnection?: number;
  /** Most connections to one endpoint. Default 4. */
  maxConnections?: number;
}

/**
 * The request fields every call of a method sends, built once per method: a call without deadline,
 * metadata or compression sends this very list (no header object per call, nothing to convert).
 */
const requestFields = new WeakMap<MethodInfo, readonly [string, string][]>();

function requestFieldsOf(method: MethodInfo): readonly [string, string][] {
  let fields = requestFields.get(method);
  if (fields === undefined) {
    fields = [
      [':method', 'POST'],
      [':path', method.path],
      ['content-type', `application/grpc+${method.codecName}`],
      ['te', 'trailers'],
      ['grpc-accept-encoding', 'identity,gzip'],
    ];
    requestFields.set(method, fields);
  }
  return fields;
}

/** The header list size assumed before the server's SETTINGS say (weft's and nghttp2's default). */
const ASSUMED_MAX_HEADER_LIST_SIZE = 65_536;

/**
 * RESOURCE_EXHAUSTED (not retried) for request headers larger than the server accepts, as HTTP/2
 * counts them (RFC 9113 §6.5.2: name + value + 32 per field), else undefined.
 */
function oversizeHeaders(session: MuxSession, headers: readonly [string, string][]): RpcError | undefined {
  const advertised = session.remoteSettings.maxHeaderListSize;
  const limit = connected.has(session) ? advertised : Math.min(advertised, ASSUMED_MAX_HEADER_LIST_SIZE);
  let size = 0;
  for (const [name, value] of headers) size += name.length + value.length + 32;
  if (size <= limit) return undefined;
  return new RpcError(
    Status.RESOURCE_EXHAUSTED,
    `the call's headers are ${size} bytes as HTTP/2 counts them; the server accepts at most ${limit} (SETTINGS_MAX_HEADER_LIST_SIZE)`,
    { noRetry: true },
  );
}

/** Client sessions that heard the server's SETTINGS: requests on the others never left. */
const connected = new WeakSet<MuxSession>();
/** The first bytes each client session received, to name a transport mismatch when it fails. */
const firstBytes = new WeakMap<MuxSession, () => Uint8Array | undefined | 'not connected'>();

/** @throws {RpcUsageError} `RPC_ERR_INVALID_OPTION` for scaling options out of range. @internal */
export function checkMuxOptions(options: MuxClientOptions): void {
  for (const [name, value] of [
    ['maxConnections', options.maxConnections ?? 1],
    ['streamsPerConnection', options.streamsPerConnection ?? 1],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RpcUsageError('RPC_ERR_INVALID_OPTION', `mux.${name} must be an integer ≥ 1, got ${value}`);
    }
  }
}

/** A session of the transport and its load. */
interface Lane {
  readonly session: MuxSession;
  inFlight: number;
  /** Calls it takes before another connection opens. */
  limit: number;
}

/**
 * Calls to one endpoint over HTTP/2 sessions: one, and more while every one is at its limit of
 * calls in flight (the server's MAX_CONCURRENT_STREAMS, or `streamsPerConnection`), up to
 * `maxConnections`; sessions are reopened when they close.
 */
export class MuxClientTransport implements ClientTransport {
  readonly #endpoint: { host: string; port: number };
  readonly #options: MuxClientOptions;
  readonly #lanes: Lane[] = [];
  readonly #max: number;
  #closed = false;
  #tlsResumed = 0;
  /** The newest TLS session ticket of any connection. */
  #ticket: Buffer | undefined;

  readonly #logger: Logger | undefined;

  /** `logger`: where GOAWAYs from the server are logged (the client's logger). */
  constructor(endpoint: { host: string; port: number }, options: MuxClientOptions, logger?: Logger) {
    this.#endpoint = endpoint;
    this.#options = options;
    this.#logger = logger;
    this.#max = options.maxConnections ?? 4;
    checkMuxOptions(options);
  }

  connectionStats(): TransportStats {
    return { connections: this.#lanes.length, tlsResumed: this.#tlsResumed };
  }

  #lane(): Lane {
    let least: Lane | undefined;
    for (const lane of this.#lanes) {
      if (lane.inFlight < lane.limit) return lane;
      if (least === undefined || lane.inFlight < least.inFlight) least = lane;
    }
    // Every session is at its limit: another, or (at the maximum) the least loaded, whose extra
    // requests wait in @weft/mux for a free stream.
    if (least !== undefined && this.#lanes.length >= this.#max) return least;
    return this.#open();
  }

  #open(): Lane {
    const { host, port } = this.#endpoint;
    const hostPort = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    // TLS: each new connection resumes with the newest session ticket of any earlier one.
    const tlsOptions =
      this.#options.tls === undefined
        ? undefined
        : this.#ticket === undefined
          ? this.#options.tls
          : { session: this.#ticket, ...this.#options.tls };
    const session = connect(`${tlsOptions === undefined ? 'http' : 'https'}://${hostPort}`, {
      ...this.#options.session,
      ...(tlsOptions === undefined ? {} : { tls: tlsOptions }),
    });
    firstBytes.set(session, sniffFirstBytes(session.socket));
    session.on('tlsSession', (ticket: Buffer) => {
      this.#ticket = ticket;
    });
    const lane: Lane = {
      session,
      inFlight: 0,
      limit: this.#options.streamsPerConnection ?? 100,
    };
    session.on('error', () => {
      // Each stream reports the failure to its call.
    });
    session.once('remoteSettings', (settings: { maxConcurrentStreams: number }) => {
      connected.add(session);
      if ((session.socket as { isSessionReused?: () => boolean }).isSessionReused?.() === true)
        this.#tlsResumed++;
      if (this.#options.streamsPerConnection === undefined)
        lane.limit = Math.max(1, settings.maxConcurrentStreams);
    });
    // GOAWAY received or closed: no new calls on this session.
    const retire = () => {
      const at = this.#lanes.indexOf(lane);
      if (at >= 0) this.#lanes.splice(at, 1);
    };
    session.on('goaway', (code: number, lastStreamId: number) => {
      this.#logger?.info(
        { endpoint: `${this.#endpoint.host}:${this.#endpoint.port}`, transport: 'mux', code, lastStreamId },
        'weft: goaway',
      );
      retire();
    });
    session.on('close', retire);
    this.#lanes.push(lane);
    return lane;
  }

  start(call: ClientCallStart, listener: ClientCallListener): ClientTransportCall {
    if (this.#closed)
      return failedCall(
        listener,
        new RpcError(Status.UNAVAILABLE, 'the client is closed', { noRetry: true }),
      );
    const lane = this.#lane();
    lane.inFlight++;
    return new MuxClientCall(lane, call, listener);
  }

  close(): void {
    this.#closed = true;
    for (const lane of this.#lanes.splice(0)) lane.session.destroy();
  }
}

/**
 * What both ends of a call on a CallbackStream share: writing a message, and a write that waits for
 * room until the stream's `onDrain` (or its close, which calls `onDrain` too).
 */
abstract class StreamCall implements StreamCallbacks {
  /** Resolves the write waiting for room. */
  #drained: (() => void) | undefined;

  /** Write one message (`end`: and end our side); a promise when the stream asks us to wait. */
  protected writeMessage(
    stream: CallbackStream,
    bytes: Uint8Array,
    compressed: boolean,
    end: boolean,
  ): Promise<void> | undefined {
    const chunks = messageChunks(bytes, compressed);
    let room = true;
    for (let i = 0; i < chunks.length; i++) {
      room = stream.write(chunks[i]!, end && i === chunks.length - 1) && room;
    }
    if (room) return undefined;
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  onDrain(): void {
    const resolve = this.#drained;
    this.#drained = undefined;
    resolve?.();
  }
}

/** One call on a CallbackStream: the stream reports to the call's `on*` methods. */
class MuxClientCall extends StreamCall implements ClientTransportCall {
  readonly #stream: CallbackStream | undefined;
  readonly #listener: ClientCallListener;
  readonly #decoder: FrameDecoder;
  readonly #lane: Lane;
  #done = false;
  #sawHeaders = false;
  #trailers: ReceivedHead | undefined;

  constructor(lane: Lane, call: ClientCallStart, listener: ClientCallListener) {
    super();
    this.#lane = lane;
    this.#listener = listener;
    this.#decoder = messageCodec(call.method.maxMessageBytes).decoder();
    const common = requestFieldsOf(call.method);
    let headers: readonly [string, string][] = common;
    if (call.compress || call.deadline !== undefined || call.metadata.size > 0) {
      const fields: Fields = common.slice();
      if (call.compress) fields.push(['grpc-encoding', 'gzip']);
      if (call.deadline !== undefined)
        fields.push(['grpc-timeout', encodeTimeout(call.deadline - Date.now())]);
      headers = metadataToFields(call.metadata, fields);
      const refusal = call.metadata.size > 0 ? oversizeHeaders(lane.session, headers) : undefined;
      if (refusal !== undefined) {
        // Refused here, not by the server: an oversized header block would cost the whole
        // connection (the server cannot decode past its limit) and every call on it.
        this.#stream = undefined;
        queueMicrotask(() => this.#status(refusal));
        return;
      }
    }
    try {
      this.#stream = lane.session.request(headers, { callbacks: this });
    } catch (err) {
      this.#stream = undefined;
      queueMicrotask(() => this.#status(unavailable('the connection cannot take new calls', err, true)));
    }
  }

  onHeaders(fields: ReceivedFields, kind: 'informational' | 'response' | 'trailers'): void {
    if (kind === 'response') this.#onResponse(readHead(fields));
    // The trailers' status waits for the end of the stream, which follows them.
    else if (kind === 'trailers') this.#trailers = readHead(fields);
  }

  onEnd(): void {
    const h = this.#trailers;
    if (h !== undefined) this.#status(statusFromHead(h), h.metadata ?? EMPTY_METADATA);
  }

  #onResponse(h: ReceivedHead): void {
    this.#sawHeaders = true;
    const httpStatus = Number(h.status);
    if (httpStatus !== 200) {
      const err = new RpcError(statusFromHttp(httpStatus), `the server answered HTTP ${httpStatus}`);
      this.#fail(err);
      return;
    }
    const type = h.contentType;
    // Any gRPC content-type is taken: servers such as grpc-js answer `application/grpc+proto`
    // whatever their serializers speak. The server checks the request's subtype.
    if (typeof type !== 'string' || contentSubtype(type) === undefined) {
      this.#fail(new RpcError(Status.UNKNOWN, `the server answered content-type ${String(type)}`));
      return;
    }
    if (h.grpcStatus !== undefined) {
      // Trailers-Only: the status came in the headers, with no body.
      this.#status(statusFromHead(h), h.metadata ?? EMPTY_METADATA);
      return;
    }
    this.#listener.onHeaders(h.metadata ?? EMPTY_METADATA);
  }

  onData(chunk: Uint8Array): void {
    if (this.#done) return;
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      const code = (err as { code?: string }).code;
      this.#fail(
        code === 'FRAMING_ERR_FRAME_TOO_LARGE'
          ? new RpcError(Status.RESOURCE_EXHAUSTED, 'a response message exceeds the size limit')
          : new RpcError(Status.INTERNAL, 'malformed gRPC message framing', { cause: err }),
      );
      return;
    }
    for (const frame of frames) {
      if (this.#done) return;
      this.#listener.onMessage(view(frame, 5, frame.length), frame[0] === 1);
    }
  }

  onClose(err: Error | undefined): void {
    this.onDrain();
    const stream = this.#stream;
    if (this.#done || stream === undefined) return;
    if (stream.rstCode !== undefined) {
      const code = stream.rstCode;
      if (stream.retryable || code === ErrorCode.RefusedStream) {
        this.#status(
          new RpcError(Status.UNAVAILABLE, 'the server did not process the call (refused)', {
            unprocessed: true,
            refused: code === ErrorCode.RefusedStream,
          }),
        );
      } else if (code === ErrorCode.Cancel) {
        this.#status(new RpcError(Status.CANCELLED, 'the server cancelled the call'));
      } else {
        this.#status(new RpcError(Status.INTERNAL, `the stream was reset (HTTP/2 error ${code})`));
      }
      return;
    }
    if (err !== undefined) {
      // A session that never heard the server's SETTINGS never delivered a request.
      const unprocessed = !connected.has(stream.session);
      // Failed before HTTP/2 began: say what the server seems to speak instead, if it is clear.
      const hint = unprocessed ? mismatchHint('mux', firstBytes.get(stream.session)?.()) : undefined;
      const message = `the connection failed: ${err.message}${hint === undefined ? '' : `; ${hint}`}`;
      this.#status(unavailable(message, err, unprocessed));
      return;
    }
    this.#status(
      new RpcError(
        this.#sawHeaders ? Status.INTERNAL : Status.UNAVAILABLE,
        'the stream ended without a grpc-status',
      ),
    );
  }

  #status(error: RpcError | undefined, trailers = new Metadata()): void {
    if (this.#done) return;
    this.#done = true;
    this.#lane.inFlight--;
    const stream = this.#stream;
    // The status ends the call; a request side still open is abandoned (RST_STREAM CANCEL).
    if (stream !== undefined && !stream.ended && !stream.closed) stream.close(ErrorCode.Cancel);
    this.#listener.onStatus(error, trailers);
  }

  #fail(error: RpcError): void {
    if (this.#done) return;
    // Status first: the reset reports the stream's close at once, and that must not decide the outcome.
    this.#status(error);
    this.#stream?.close(ErrorCode.Cancel);
  }

  write(bytes: Uint8Array, compressed: boolean, end: boolean): Promise<void> | undefined {
    const stream = this.#stream;
    if (this.#done || stream === undefined || stream.ended || stream.closed) return undefined;
    return this.writeMessage(stream, bytes, compressed, end);
  }

  end(): void {
    const stream = this.#stream;
    if (!this.#done && stream !== undefined && !stream.ended && !stream.closed) stream.end();
  }

  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#lane.inFlight--;
    this.#stream?.close(ErrorCode.Cancel);
  }

  pause(): void {
    this.#stream?.pause();
  }

  resume(): void {
    this.#stream?.resume();
  }
}

function unavailable(message: string, cause: unknown, unprocessed = false): RpcError {
  return new RpcError(Status.UNAVAILABLE, message, { cause, unprocessed });
}

/** After an idle session's GOAWAY, how long its streams (none of them a call) may take to end. */
const IDLE_CLOSE_GRACE_MS = 5000;

/** Serve `dispatcher` over HTTP/2 (gRPC). @internal */
export async function listenMux(dispatcher: CallDispatcher, at: ListenAt): Promise<TransportServer> {
  const sessions = new Map<MuxSession, ServerConnection>();
  const onRequest = (stream: CallbackStream, fields: ReceivedFields) =>
    serveStream(dispatcher, sessions.get(stream.session)!, stream, readHead(fields));
  const server =
    at.tls === undefined ? createServer({ onRequest }) : createSecureServer({ onRequest, tls: at.tls });
  server.on('session', (session: MuxSession) => {
    // Idle or at its max age: a graceful two-phase GOAWAY; the client opens a new session for new calls.
    const connection = dispatcher.openConnection({
      closeIdle: () => {
        void session.close();
        // Streams of calls already answered may stay open while their clients never end them.
        setTimeout(() => session.destroy(), IDLE_CLOSE_GRACE_MS).unref();
      },
    });
    sessions.set(session, connection);
    const aged = maxAgeTimer(at.maxConnectionAgeMs, () => void session.close());
    session.on('close', () => {
      clearTimeout(aged);
      connection.closed();
      sessions.delete(session);
    });
  });
  const address = await listenOn(server, at.host, at.port);
  return {
    address,
    close: (graceMs) =>
      closeListener(server, graceMs, {
        drain: () => Promise.all([...sessions.keys()].map((s) => s.close())).then(() => {}),
        kill: () => {
          for (const s of sessions.keys()) s.destroy();
        },
      }),
  };
}

function serveStream(
  dispatcher: CallDispatcher,
  connection: ServerConnection,
  stream: CallbackStream,
  headers: ReceivedHead,
): StreamCallbacks {
  if (headers.method !== 'POST') {
    stream.respond({ ':status': 405, allow: 'POST' }, { endStream: true });
    return NO_CALLBACKS;
  }
  const type = headers.contentType;
  const subtype = typeof type === 'string' ? contentSubtype(type) : undefined;
  if (subtype === undefined) {
    // PROTOCOL-HTTP2: a request whose content-type is not gRPC gets HTTP 415.
    stream.respond({ ':status': 415 }, { endStream: true });
    return NO_CALLBACKS;
  }
  return new MuxServerCall(dispatcher, connection, stream, headers, subtype);
}

/** A refused request's stream: what the client still sends is read (its credit returned) and dropped. */
const NO_CALLBACKS: StreamCallbacks = {};

class MuxServerCall extends StreamCall implements ServerTransportCall {
  readonly path: string;
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  readonly acceptsGzip: boolean;
  readonly contentSubtype: string;
  readonly connection: ServerConnection;
  readonly transport = 'mux';
  maxMessageBytes = 0;
  codecName = 'msgpack';
  readonly #stream: CallbackStream;
  readonly #listener: ServerCallListener;
  #decoder: FrameDecoder | undefined;
  #done = false;
  #headersSent = false;
  readonly #gzipIn: boolean;

  constructor(
    dispatcher: CallDispatcher,
    connection: ServerConnection,
    stream: CallbackStream,
    headers: ReceivedHead,
    subtype: string,
  ) {
    super();
    this.connection = connection;
    this.#stream = stream;
    this.contentSubtype = subtype;
    this.path = String(headers.path);
    this.metadata = headers.metadata ?? new Metadata();
    this.acceptsGzip = acceptsGzip(headers.acceptEncoding);
    const encoding = headers.encoding;
    this.#gzipIn = encoding === 'gzip';
    const timeout = headers.timeout;
    const ms = typeof timeout === 'string' ? parseTimeout(timeout) : undefined;
    this.deadline = ms === undefined ? undefined : Date.now() + ms;
    if (timeout !== undefined && ms === undefined) {
      this.#listener = IGNORE;
      this.finish(new RpcError(Status.INTERNAL, `malformed grpc-timeout ${String(timeout)}`), new Metadata());
      return;
    }
    if (encoding !== undefined && encoding !== 'identity' && encoding !== 'gzip') {
      this.#listener = IGNORE;
      this.finish(
        new RpcError(Status.UNIMPLEMENTED, `unsupported grpc-encoding ${String(encoding)}`),
        new Metadata(),
      );
      return;
    }
    this.#listener = dispatcher.dispatch(this);
    if (this.#done) return;
    this.#decoder = messageCodec(this.maxMessageBytes).decoder();
  }

  onEnd(): void {
    if (!this.#done) this.#listener.onHalfClose();
  }

  onClose(): void {
    this.onDrain();
    if (this.#done) return;
    this.#done = true;
    this.#listener.onCancel(new RpcError(Status.CANCELLED, 'the client cancelled the call'));
  }

  /** The client's address, `host:port` (built when asked: most handlers never do). */
  get peer(): string {
    const socket = this.#stream.session.socket as { remoteAddress?: string; remotePort?: number };
    return `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
  }

  onData(chunk: Uint8Array): void {
    if (this.#done) return;
    let frames: Uint8Array[];
    try {
      frames = this.#decoder!.push(chunk);
    } catch (err) {
      const tooLarge = (err as { code?: string }).code === 'FRAMING_ERR_FRAME_TOO_LARGE';
      this.#abort(
        tooLarge
          ? new RpcError(Status.RESOURCE_EXHAUSTED, `a request message exceeds ${this.maxMessageBytes} bytes`)
          : new RpcError(Status.INTERNAL, 'malformed gRPC message framing'),
      );
      return;
    }
    for (const frame of frames) {
      if (this.#done) return;
      const compressed = frame[0] === 1;
      if (compressed && !this.#gzipIn) {
        this.#abort(new RpcError(Status.INTERNAL, 'a compressed message without grpc-encoding'));
        return;
      }
      this.#listener.onMessage(view(frame, 5, frame.length), compressed);
    }
  }

  /** A transport-level failure of the call: tell the handler, then the client. */
  #abort(error: RpcError): void {
    this.#listener.onCancel(error);
    this.finish(error, new Metadata());
  }

  #responseHeaders(): Fields {
    const fields: Fields = [
      [':status', '200'],
      ['content-type', this.codecName === '' ? 'application/grpc' : `application/grpc+${this.codecName}`],
    ];
    if (this.acceptsGzip) fields.push(['grpc-encoding', 'gzip']);
    return fields;
  }

  /** Response headers without metadata: one shared list per codec, with and without gzip. */
  #plainResponseHeaders(): readonly [string, string][] {
    let pair = plainResponseHeaders.get(this.codecName);
    if (pair === undefined) {
      pair = [undefined, undefined];
      plainResponseHeaders.set(this.codecName, pair);
    }
    const slot = this.acceptsGzip ? 1 : 0;
    pair[slot] ??= this.#responseHeaders();
    return pair[slot];
  }

  sendHeaders(metadata: Metadata): void {
    if (this.#done || this.#headersSent) return;
    this.#headersSent = true;
    this.#stream.respond(
      metadata.size === 0
        ? this.#plainResponseHeaders()
        : metadataToFields(metadata, this.#responseHeaders()),
    );
  }

  write(bytes: Uint8Array, compressed: boolean): Promise<void> | undefined {
    const stream = this.#stream;
    if (this.#done || stream.closed) return undefined;
    return this.writeMessage(stream, bytes, compressed, false);
  }

  finish(error: RpcError | undefined, trailers: Metadata): void {
    if (this.#done) return;
    this.#done = true;
    const stream = this.#stream;
    if (stream.closed) return;
    try {
      if (this.#headersSent) {
        stream.end(statusFields(error, trailers, []));
      } else {
        const headers = statusFields(error, trailers, this.#responseHeaders());
        stream.respond(headers, { endStream: true });
      }
    } catch {
      stream.close(ErrorCode.InternalError);
      return;
    }
    // The client may still be sending: read and drop the rest rather than stall its window.
    stream.resume();
  }

  pause(): void {
    this.#stream.pause();
  }

  resume(): void {
    this.#stream.resume();
  }
}

/** Response headers without metadata by codec name, [without, with] gzip: a handful of entries. */
const plainResponseHeaders = new Map<string, (readonly [string, string][] | undefined)[]>();

/** `grpc-accept-encoding` values seen, and whether they list gzip: a handful per process (bounded). */
const acceptValues = new Map<string, boolean>();

function acceptsGzip(accept: FieldValue): boolean {
  if (typeof accept !== 'string') return false;
  let gzip = acceptValues.get(accept);
  if (gzip === undefined) {
    gzip = /(^|,)\s*gzip\s*(,|$)/.test(accept);
    if (acceptValues.size < 64) acceptValues.set(accept, gzip);
  }
  return gzip;
}

const IGNORE: ServerCallListener = { onMessage() {}, onHalfClose() {}, onCancel() {} };
