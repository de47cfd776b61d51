import type { ClientCallListener, ClientTransport, ClientTransportCall, MethodInfo } from './call.js';
import { gzip, hasGzip } from './compression.js';
import { RpcError } from './errors.js';
import { Inbox } from './inbox.js';
import { decodeChecked, encodeChecked, InboundOrder } from './message.js';
import { Metadata } from './metadata.js';
import type { MethodCodecs } from './service.js';
import { Status } from './status.js';
import { startTimer, stopTimer, type Timer } from './timer.js';
import {
  type CallTraceContext,
  clientCalls,
  type MessageCounts,
  newMessageCounts,
  traceEnd,
} from './tracing.js';

/** Per-call options, the last argument of every client method. */
export interface CallOptions {
  /** Time the call may take, in ms. The earliest of this, `deadline` and an enclosing handler's wins. */
  timeoutMs?: number;
  /** Absolute deadline (a Date or epoch ms). */
  deadline?: Date | number;
  /** Cancels the call when aborted (status CANCELLED; the server's `ctx.signal` aborts too). */
  signal?: AbortSignal;
  /** Request metadata. */
  metadata?: Metadata | Record<string, string | Uint8Array | (string | Uint8Array)[]>;
  /** Called with the response headers. */
  onHeaders?: (headers: Metadata) => void;
  /** Called with the trailers (on failure too). */
  onTrailers?: (trailers: Metadata) => void;
  /** Key of sticky routing, for the `consistent-hash` balancer: the same key, the same server. */
  routingKey?: string;
  /** Wait (until the deadline) for a server to become available instead of failing at once. */
  waitForReady?: boolean;
  /**
   * Gzip this call's requests: `true` every one, `false` none, or a function that decides per
   * message from its index (0 for the first) and encoded size. Default: the client's
   * `compression` threshold.
   */
  compress?: boolean | ((index: number, sizeBytes: number) => boolean);
  /** Called as each response message arrives, before it is decoded. */
  onResponseMessage?: (message: ReceivedMessage) => void;
}

/** What the wire says about one received message. */
export interface ReceivedMessage {
  /** Whether the message came gzip-compressed (the gRPC compressed flag). */
  readonly compressed: boolean;
  /** Its size as received, in bytes (compressed size when compressed), without framing. */
  readonly wireBytes: number;
}

/** Compression settings shared by a client's calls. */
export interface CompressionOptions {
  /** Compress messages of at least this many bytes with gzip. Default: compression off. */
  thresholdBytes: number;
}

/**
 * The responses of a server-streaming or bidi call: iterate with `for await`. Leaving the loop early
 * cancels the call. A failed call throws its {@link RpcError} from the iteration.
 */
export interface ResponseStream<T> extends AsyncIterableIterator<T> {
  /** Response headers; empty if the call failed before any. Never rejects. */
  readonly headers: Promise<Metadata>;
  /** Trailers, once the call ended (either way). Never rejects. */
  readonly trailers: Promise<Metadata>;
  /** Cancel the call (status CANCELLED). */
  cancel(): void;
}

/**
 * One client call, whatever its shape: drives a transport call and settles exactly once, by its
 * deadline at the latest. @internal
 */
export class ClientCall implements ClientCallListener {
  readonly info: MethodInfo;
  readonly #codecs: MethodCodecs;
  readonly #transport: ClientTransport;
  readonly #compress: (index: number, sizeBytes: number) => boolean;
  /** Requests encoded so far: the index the `compress` option is given. */
  #index = 0;
  readonly #options: CallOptions;
  #tcall: ClientTransportCall | undefined;
  /** The server of the finished call (its transport call is let go). */
  #peer: string | undefined;
  #settled = false;
  #timer: Timer | undefined;
  #onAbort: (() => void) | undefined;
  #responses = 0;
  #response: unknown;
  readonly #inbound: InboundOrder;
  /** Set when tracing subscribers saw the call start. */
  #trace: CallTraceContext | undefined;
  /** Messages and their bytes on the wire (compressed size when compressed), each way. */
  readonly counts: MessageCounts = newMessageCounts();
  #headers: Promise<Metadata> | undefined;
  #trailers: Promise<Metadata> | undefined;
  #headersResolve: ((m: Metadata) => void) | undefined;
  #trailersResolve: ((m: Metadata) => void) | undefined;
  /** Streaming responses go here; unary responses are kept in `#response`. */
  readonly inbox: Inbox<unknown> | undefined;
  /** Settles with the call: resolves with the unary response (or undefined), rejects with its RpcError. */
  readonly done: Promise<unknown>;
  #resolve!: (value: unknown) => void;
  #reject!: (err: RpcError) => void;

  constructor(
    info: MethodInfo,
    codecs: MethodCodecs,
    transport: ClientTransport,
    options: CallOptions,
    compressAt: number,
  ) {
    this.info = info;
    this.#codecs = codecs;
    this.#transport = transport;
    this.#options = options;
    this.#compress = compressionPolicy(options.compress, compressAt);
    this.#inbound = new InboundOrder(
      info.maxMessageBytes,
      () => this.#settled,
      (error) => this.fail(error),
    );
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (info.kind === 'serverStream' || info.kind === 'bidiStream') {
      this.inbox = new Inbox({
        pause: () => this.#tcall?.pause(),
        resume: () => this.#tcall?.resume(),
        abandon: () => this.fail(new RpcError(Status.CANCELLED, 'the response stream was abandoned')),
      });
      // The stream's reader sees the failure; `done` is then only for interceptors.
      this.done.catch(() => {});
      this.#headers = new Promise<Metadata>((resolve) => {
        this.#headersResolve = resolve;
      });
      this.#trailers = new Promise<Metadata>((resolve) => {
        this.#trailersResolve = resolve;
      });
    }
  }

  /** `host:port` of the server the call went to, once one was chosen. */
  get peer(): string | undefined {
    return this.#tcall?.peer ?? this.#peer;
  }

  /** Trace this call: its end goes to the `tracing:weft:rpc:client` channels with `context`. */
  trace(context: CallTraceContext): void {
    this.#trace = context;
  }

  #sent(bytes: number): void {
    this.counts.messagesSent++;
    this.counts.bytesSent += bytes;
    this.counts.onMessage?.('sent', bytes);
  }

  /** A stream view over this call's inbox. */
  responseStream(): ResponseStream<unknown> {
    return Object.assign(this.inbox!, {
      headers: this.#headers!,
      trailers: this.#trailers!,
      cancel: () => this.cancel(),
    });
  }

  /**
   * Arm the deadline and the signal, then open the transport call. An expired deadline or an
   * aborted signal fails the call without touching the wire.
   */
  start(metadata: Metadata, deadline: number | undefined): void {
    // Settled before it started (cancelled while a protobuf service's runtime was loading).
    if (this.#settled) return;
    const signal = this.#options.signal;
    if (signal?.aborted) {
      this.fail(new RpcError(Status.CANCELLED, 'the call was cancelled before it started'));
      return;
    }
    if (deadline !== undefined) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        this.fail(new RpcError(Status.DEADLINE_EXCEEDED, 'the deadline expired before the call started'));
        return;
      }
      this.#timer = startTimer(
        () => this.fail(new RpcError(Status.DEADLINE_EXCEEDED, `deadline exceeded after ${remaining} ms`)),
        remaining,
      );
    }
    if (signal !== undefined) {
      this.#onAbort = () => this.fail(new RpcError(Status.CANCELLED, 'the call was cancelled'));
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    this.#tcall = this.#transport.start(
      {
        method: this.info,
        metadata,
        deadline,
        compress: this.#compress !== NEVER,
        routingKey: this.#options.routingKey,
        waitForReady: this.#options.waitForReady,
      },
      this,
    );
  }

  /**
   * Encode and send one message. Returns a promise when the caller should wait before the next
   * (backpressure or compression), else undefined.
   */
  send(value: unknown, end: boolean): Promise<void> | undefined {
    if (this.#settled || this.#tcall === undefined) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = encodeChecked(this.#codecs.request, value, this.info.maxMessageBytes, 'request');
    } catch (err) {
      this.fail(err as RpcError);
      return undefined;
    }
    if (this.#compress(this.#index++, bytes.length)) {
      return gzip(bytes).then(
        (packed) => {
          this.#sent(packed.length);
          if (!this.#settled) return this.#tcall!.write(packed, true, end);
        },
        (err) =>
          this.fail(
            err instanceof RpcError
              ? err
              : new RpcError(Status.INTERNAL, 'could not gzip the request', { cause: err }),
          ),
      );
    }
    this.#sent(bytes.length);
    return this.#tcall.write(bytes, false, end);
  }

  /** Half-close: no more requests. */
  end(): void {
    if (!this.#settled) this.#tcall?.end();
  }

  /** Send every request of `requests`, then half-close. A failing iterable cancels the call. */
  async pump(requests: AsyncIterable<unknown> | Iterable<unknown>): Promise<void> {
    try {
      for await (const request of requests) {
        if (this.#settled) break;
        const wait = this.send(request, false);
        if (wait !== undefined) await wait;
        if (this.#settled) break;
      }
      this.end();
    } catch (err) {
      this.fail(new RpcError(Status.CANCELLED, `the request stream failed: ${String(err)}`, { cause: err }));
    }
  }

  /** Cancel from the application. */
  cancel(): void {
    this.fail(new RpcError(Status.CANCELLED, 'the call was cancelled'));
  }

  /** Fail the call on this side: the transport call is abandoned, the server told. */
  fail(error: RpcError): void {
    if (this.#settled) return;
    this.#tcall?.cancel();
    this.#settle(error, new Metadata());
  }

  onHeaders(metadata: Metadata): void {
    if (this.#settled) return;
    this.#options.onHeaders?.(metadata);
    this.#headersResolve?.(metadata);
  }

  onMessage(bytes: Uint8Array, compressed: boolean): void {
    if (this.#settled) return;
    this.#options.onResponseMessage?.({ compressed, wireBytes: bytes.length });
    this.counts.messagesReceived++;
    this.counts.bytesReceived += bytes.length;
    this.counts.onMessage?.('received', bytes.length);
    this.#inbound.message(bytes, compressed, this.#deliver);
  }

  readonly #deliver = (bytes: Uint8Array): void => {
    const value = decodeChecked(this.#codecs.response, bytes, this.info.maxMessageBytes, 'response');
    this.#responses++;
    if (this.inbox !== undefined) this.inbox.push(value);
    else if (this.#responses === 1) this.#response = value;
    else this.fail(new RpcError(Status.INTERNAL, 'the server sent more than one response to a unary call'));
  };

  onStatus(error: RpcError | undefined, trailers: Metadata): void {
    if (!this.#settled) this.#inbound.after(() => this.#status(error, trailers));
  }

  #status(error: RpcError | undefined, trailers: Metadata): void {
    this.#peer = this.#tcall?.peer;
    this.#tcall = undefined;
    if (error === undefined && this.inbox === undefined && this.#responses === 0) {
      error = new RpcError(Status.INTERNAL, 'the server ended the call without a response');
    }
    this.#settle(error, trailers);
  }

  #settle(error: RpcError | undefined, trailers: Metadata): void {
    this.#settled = true;
    stopTimer(this.#timer);
    if (this.#onAbort !== undefined) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#headersResolve?.(new Metadata());
    this.#trailersResolve?.(trailers);
    this.#options.onTrailers?.(trailers);
    if (this.#trace !== undefined) traceEnd(clientCalls, this.#trace, error, this.counts);
    if (error !== undefined) {
      if (error.metadata === undefined) error.metadata = trailers;
      this.inbox?.fail(error);
      this.#reject(error);
    } else {
      this.inbox?.end();
      this.#resolve(this.#response);
    }
  }
}

const NEVER = () => false;
const ALWAYS = () => true;

/**
 * Whether to gzip the request of a given index and size, from the call's and the client's settings.
 * A runtime without gzip (a browser without CompressionStream) sends every request as it is.
 */
function compressionPolicy(
  option: CallOptions['compress'],
  compressAt: number,
): (index: number, sizeBytes: number) => boolean {
  if (!hasGzip()) return NEVER;
  if (typeof option === 'function') return option;
  if (option !== undefined) return option ? ALWAYS : NEVER;
  if (compressAt === Number.POSITIVE_INFINITY) return NEVER;
  return (_index, sizeBytes) => sizeBytes >= compressAt;
}
