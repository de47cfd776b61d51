/**
 * gRPC over `@weft/mux` (HTTP/2), as grpc/grpc doc/PROTOCOL-HTTP2.md describes it: POST to
 * `/<service>/<method>`, `content-type: application/grpc+<codec>`, `te: trailers`, Length-Prefixed
 * messages, `grpc-status`/`grpc-message` trailers (or Trailers-Only), `grpc-timeout`, RST_STREAM
 * CANCEL on cancellation. A stock grpc-js peer talks to it.
 */
import type { FrameDecoder } from '@weft/framing';
import {
  connect,
  createSecureServer,
  createServer,
  ErrorCode,
  type MuxSession,
  type MuxStream,
  type SessionOptions,
} from '@weft/mux';
import {
  type CallDispatcher,
  type ClientCallListener,
  type ClientCallStart,
  type ClientTransport,
  type ClientTransportCall,
  failedCall,
  type ServerCallListener,
  type ServerTransportCall,
  type TransportServer,
  type TransportStats,
} from '../call.js';
import { encodeTimeout, parseTimeout } from '../deadline.js';
import { RpcError, RpcUsageError } from '../errors.js';
import { Metadata } from '../metadata.js';
import type { ClientTlsOptions } from '../node/tls-options.js';
import { Status } from '../status.js';
import {
  type Headers,
  headersToMetadata,
  messageChunks,
  messageCodec,
  metadataToHeaders,
  statusFromHeaders,
  statusFromHttp,
  statusHeaders,
} from './grpc-wire.js';
import { closeListener, type ListenAt, listenOn, maxAgeTimer } from './listen.js';

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

type HeaderRecord = Record<string, string | string[] | undefined>;

/** Client sessions that heard the server's SETTINGS: requests on the others never left. */
const connected = new WeakSet<MuxSession>();

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

  constructor(endpoint: { host: string; port: number }, options: MuxClientOptions) {
    this.#endpoint = endpoint;
    this.#options = options;
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
    session.on('goaway', retire);
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

class MuxClientCall implements ClientTransportCall {
  readonly #stream: MuxStream | undefined;
  readonly #listener: ClientCallListener;
  readonly #decoder: FrameDecoder;
  #done = false;
  #sawHeaders = false;
  #trailers: HeaderRecord | undefined;

  readonly #lane: Lane;

  constructor(lane: Lane, call: ClientCallStart, listener: ClientCallListener) {
    this.#lane = lane;
    const session = lane.session;
    this.#listener = listener;
    this.#decoder = messageCodec(call.method.maxMessageBytes).decoder();
    const headers: Headers = {
      ':method': 'POST',
      ':path': call.method.path,
      'content-type': `application/grpc+${call.method.codecName}`,
      te: 'trailers',
      'grpc-accept-encoding': 'identity,gzip',
    };
    if (call.compress) headers['grpc-encoding'] = 'gzip';
    if (call.deadline !== undefined) headers['grpc-timeout'] = encodeTimeout(call.deadline - Date.now());
    if (call.metadata.size > 0) metadataToHeaders(call.metadata, headers);
    let stream: MuxStream;
    try {
      stream = session.request(headers as Record<string, string | string[]>);
    } catch (err) {
      this.#stream = undefined;
      queueMicrotask(() => this.#status(unavailable('the connection cannot take new calls', err, true)));
      return;
    }
    this.#stream = stream;
    stream.on('response', (h: HeaderRecord) => this.#onResponse(h));
    stream.on('data', (chunk: Uint8Array) => this.#onData(chunk));
    // The trailers' status waits for 'end': messages a paused reader has not taken yet are still
    // buffered in the stream, and the call must deliver them before it ends.
    stream.on('trailers', (h: HeaderRecord) => {
      this.#trailers = h;
    });
    stream.on('end', () => {
      const h = this.#trailers;
      if (h !== undefined) this.#status(statusFromHeaders(h), headersToMetadata(h, false));
    });
    stream.on('error', () => {});
    stream.on('close', () => this.#onClose(stream));
  }

  #onResponse(h: HeaderRecord): void {
    this.#sawHeaders = true;
    const httpStatus = Number(h[':status']);
    if (httpStatus !== 200) {
      const err = new RpcError(statusFromHttp(httpStatus), `the server answered HTTP ${httpStatus}`);
      this.#fail(err);
      return;
    }
    const type = h['content-type'];
    if (typeof type !== 'string' || !type.startsWith('application/grpc')) {
      this.#fail(new RpcError(Status.UNKNOWN, `the server answered content-type ${String(type)}`));
      return;
    }
    if (h['grpc-status'] !== undefined) {
      // Trailers-Only: the status came in the headers, with no body.
      this.#status(statusFromHeaders(h), headersToMetadata(h, false));
      return;
    }
    this.#listener.onHeaders(headersToMetadata(h, false));
  }

  #onData(chunk: Uint8Array): void {
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
      this.#listener.onMessage(frame.subarray(5), frame[0] === 1);
    }
  }

  #onClose(stream: MuxStream): void {
    if (this.#done) return;
    if (stream.rstCode !== undefined) {
      const code = stream.rstCode;
      if (stream.retryable || code === ErrorCode.RefusedStream) {
        this.#status(
          new RpcError(Status.UNAVAILABLE, 'the server did not process the call (refused)', {
            unprocessed: true,
          }),
        );
      } else if (code === ErrorCode.Cancel) {
        this.#status(new RpcError(Status.CANCELLED, 'the server cancelled the call'));
      } else {
        this.#status(new RpcError(Status.INTERNAL, `the stream was reset (HTTP/2 error ${code})`));
      }
      return;
    }
    const err = stream.errored;
    if (err !== null && err !== undefined) {
      // A session that never heard the server's SETTINGS never delivered a request.
      const unprocessed = !connected.has(stream.session);
      this.#status(unavailable(`the connection failed: ${err.message}`, err, unprocessed));
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
    if (stream !== undefined && !stream.writableEnded && !stream.destroyed) stream.close(ErrorCode.Cancel);
    this.#listener.onStatus(error, trailers);
  }

  #fail(error: RpcError): void {
    if (this.#done) return;
    this.#stream?.close(ErrorCode.Cancel);
    this.#status(error);
  }

  write(bytes: Uint8Array, compressed: boolean, end: boolean): Promise<void> | undefined {
    const stream = this.#stream;
    if (this.#done || stream === undefined || stream.writableEnded) return undefined;
    return writeMessage(stream, bytes, compressed, end);
  }

  end(): void {
    const stream = this.#stream;
    if (!this.#done && stream !== undefined && !stream.writableEnded) stream.end();
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

/** Write one message (`end`: and end our side); a promise when the stream asks us to wait. */
function writeMessage(
  stream: MuxStream,
  bytes: Uint8Array,
  compressed: boolean,
  end: boolean,
): Promise<void> | undefined {
  const chunks = messageChunks(bytes, compressed);
  let room = true;
  for (let i = 0; i < chunks.length - 1; i++) room = stream.write(chunks[i]) && room;
  const last = chunks[chunks.length - 1]!;
  if (end) {
    stream.end(last);
    return undefined;
  }
  room = stream.write(last) && room;
  return room ? undefined : waitDrain(stream);
}

function waitDrain(stream: MuxStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function unavailable(message: string, cause: unknown, unprocessed = false): RpcError {
  return new RpcError(Status.UNAVAILABLE, message, { cause, unprocessed });
}

/** Serve `dispatcher` over HTTP/2 (gRPC). @internal */
export async function listenMux(dispatcher: CallDispatcher, at: ListenAt): Promise<TransportServer> {
  const onStream = (stream: MuxStream, headers: HeaderRecord) => serveStream(dispatcher, stream, headers);
  const server =
    at.tls === undefined ? createServer({}, onStream) : createSecureServer({ tls: at.tls }, onStream);
  const sessions = new Set<MuxSession>();
  server.on('session', (session: MuxSession) => {
    sessions.add(session);
    // Max connection age: a graceful two-phase GOAWAY; the client opens a new session for new calls.
    const aged = maxAgeTimer(at.maxConnectionAgeMs, () => void session.close());
    session.on('close', () => {
      clearTimeout(aged);
      sessions.delete(session);
    });
  });
  const address = await listenOn(server, at.host, at.port);
  return {
    address,
    close: (graceMs) =>
      closeListener(server, graceMs, {
        drain: () => Promise.all([...sessions].map((s) => s.close())).then(() => {}),
        kill: () => {
          for (const s of sessions) s.destroy();
        },
      }),
  };
}

function serveStream(dispatcher: CallDispatcher, stream: MuxStream, headers: HeaderRecord): void {
  stream.on('error', () => {});
  if (headers[':method'] !== 'POST') {
    stream.respond({ ':status': 405, allow: 'POST' }, { endStream: true });
    return;
  }
  const type = headers['content-type'];
  if (typeof type !== 'string' || !/^application\/grpc([+;]|$)/.test(type)) {
    // PROTOCOL-HTTP2: a request whose content-type is not gRPC gets HTTP 415.
    stream.respond({ ':status': 415 }, { endStream: true });
    return;
  }
  new MuxServerCall(dispatcher, stream, headers);
}

class MuxServerCall implements ServerTransportCall {
  readonly path: string;
  readonly metadata: Metadata;
  readonly deadline: number | undefined;
  readonly acceptsGzip: boolean;
  maxMessageBytes = 0;
  codecName = 'msgpack';
  readonly #stream: MuxStream;
  readonly #listener: ServerCallListener;
  #decoder: FrameDecoder | undefined;
  #done = false;
  #headersSent = false;
  readonly #gzipIn: boolean;

  constructor(dispatcher: CallDispatcher, stream: MuxStream, headers: HeaderRecord) {
    this.#stream = stream;
    this.path = String(headers[':path']);
    this.metadata = headersToMetadata(headers);
    const accept = headers['grpc-accept-encoding'];
    this.acceptsGzip = typeof accept === 'string' && /(^|,)\s*gzip\s*(,|$)/.test(accept);
    const encoding = headers['grpc-encoding'];
    this.#gzipIn = encoding === 'gzip';
    const timeout = headers['grpc-timeout'];
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
    stream.on('data', (chunk: Uint8Array) => this.#onData(chunk));
    stream.on('end', () => {
      if (!this.#done) this.#listener.onHalfClose();
    });
    stream.on('close', () => {
      if (this.#done) return;
      this.#done = true;
      this.#listener.onCancel(new RpcError(Status.CANCELLED, 'the client cancelled the call'));
    });
  }

  /** The client's address, `host:port` (built when asked: most handlers never do). */
  get peer(): string {
    const socket = this.#stream.session.socket as { remoteAddress?: string; remotePort?: number };
    return `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
  }

  #onData(chunk: Uint8Array): void {
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
      this.#listener.onMessage(frame.subarray(5), compressed);
    }
  }

  /** A transport-level failure of the call: tell the handler, then the client. */
  #abort(error: RpcError): void {
    this.#listener.onCancel(error);
    this.finish(error, new Metadata());
  }

  #responseHeaders(): Headers {
    const headers: Headers = { ':status': 200, 'content-type': `application/grpc+${this.codecName}` };
    if (this.acceptsGzip) headers['grpc-encoding'] = 'gzip';
    return headers;
  }

  sendHeaders(metadata: Metadata): void {
    if (this.#done || this.#headersSent) return;
    this.#headersSent = true;
    this.#stream.respond(metadataToHeaders(metadata, this.#responseHeaders()) as Record<string, string>);
  }

  write(bytes: Uint8Array, compressed: boolean): Promise<void> | undefined {
    if (this.#done) return undefined;
    return writeMessage(this.#stream, bytes, compressed, false);
  }

  finish(error: RpcError | undefined, trailers: Metadata): void {
    if (this.#done) return;
    this.#done = true;
    const stream = this.#stream;
    if (stream.destroyed) return;
    try {
      if (this.#headersSent) {
        stream.sendTrailers(statusHeaders(error, trailers, {}) as Record<string, string>);
      } else {
        const headers = statusHeaders(error, trailers, this.#responseHeaders());
        stream.respond(headers as Record<string, string>, { endStream: true });
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

const IGNORE: ServerCallListener = { onMessage() {}, onHalfClose() {}, onCancel() {} };
