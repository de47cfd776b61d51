import type { ServerCallListener, ServerTransportCall } from './call.js';
import { gzip } from './compression.js';
import type { ServerCallContext } from './context.js';
import { callScope } from './deadline.js';
import { serverEnd } from './diagnostics.js';
import { RpcError, toRpcError } from './errors.js';
import { Inbox } from './inbox.js';
import { activeInterceptors, type Interceptor, runInterceptors } from './interceptors.js';
import { decodeChecked, encodeChecked, InboundOrder } from './message.js';
import type { ServerConnection, ServerConnections, Sheddable } from './server-connections.js';
import type { MethodCodecs, MethodKind } from './service.js';
import { Status } from './status.js';
import { startTimer, stopTimer, type Timer } from './timer.js';
import { type CallTraceContext, serverCalls, traceEnd } from './tracing.js';

/** A handler of any shape, as stored by the server. @internal */
// biome-ignore lint/suspicious/noExplicitAny: handlers are typed at `server.add`; stored erased.
export type AnyHandler = (input: any, ctx: ServerCallContext) => any;

/** What a served call needs from its server. @internal */
export interface CallEnvironment {
  readonly codecs: MethodCodecs;
  readonly kind: MethodKind;
  readonly handler: AnyHandler;
  readonly interceptors: readonly Interceptor<ServerCallContext>[];
  readonly compressAt: number;
  readonly onError: ((err: unknown, ctx: ServerCallContext) => void) | undefined;
  /** The server's calls by connection: told once when the call ends, however it ends. */
  readonly connections: ServerConnections;
  /** How long a unary or server-streaming call may wait for its request; 0: no limit. */
  readonly requestTimeoutMs: number;
}

/**
 * One call on the server: decodes requests, runs the handler inside its deadline scope, encodes
 * responses with backpressure, and ends with exactly one status. @internal
 */
export class ServerCall implements ServerCallListener, Sheddable {
  readonly #call: ServerTransportCall;
  readonly #ctx: ServerCallContext;
  readonly #env: CallEnvironment;
  readonly #connection: ServerConnection;
  #done = false;
  #timer: Timer | undefined;
  /** Waits for a unary or server-streaming call's request, when it did not come with the headers. */
  #requestTimer: Timer | undefined;
  #ran = false;
  _older: Sheddable | undefined;
  _newer: Sheddable | undefined;
  /** Set when tracing subscribers saw the call start. */
  #trace: CallTraceContext | undefined;
  #request: unknown;
  #requests = 0;
  #headersSent = false;
  #halfClosedSeen = false;
  /** When the call began, for `weft:rpc:server:end`: read only while that channel has subscribers. */
  readonly #startedAt = serverEnd.hasSubscribers ? performance.now() : -1;
  readonly #inbound: InboundOrder;
  readonly #inbox: Inbox<unknown> | undefined;
  /** Request messages that arrived, and those taken by the handler. */
  #arrived = 0;
  #taken = 0;
  /** Arrival indices of the compressed requests not yet taken, in order (made on the first one). */
  #compressedAt: number[] | undefined;

  constructor(
    call: ServerTransportCall,
    ctx: ServerCallContext,
    env: CallEnvironment,
    connection: ServerConnection,
  ) {
    this.#call = call;
    this.#ctx = ctx;
    this.#env = env;
    this.#connection = connection;
    this.#inbound = new InboundOrder(
      call.maxMessageBytes,
      () => this.#done,
      (error) => this.#fail(error),
    );
    if (env.kind === 'clientStream' || env.kind === 'bidiStream') {
      this.#inbox = new Inbox({
        pause: () => call.pause(),
        resume: () => call.resume(),
        abandon: () => {},
        taken: () => this.#took(),
      });
    }
  }

  /** Arm the deadline and start what runs on its own; called once the server admitted the call. */
  start(): void {
    const ctx = this.#ctx;
    if (serverCalls.hasSubscribers) {
      const context: CallTraceContext = {
        service: ctx.service,
        method: ctx.method,
        path: ctx.path,
        kind: ctx.kind,
        metadata: ctx.metadata,
        deadline: ctx.deadline,
        peer: ctx.peer,
      };
      serverCalls.start.publish(context);
      this.#trace = context;
      serverCalls.end.publish(context);
    }
    if (ctx.deadline !== undefined) {
      const remaining = ctx.deadline - Date.now();
      if (remaining <= 0) {
        queueMicrotask(() => this.#expire());
      } else {
        this.#timer = startTimer(() => this.#expire(), remaining);
      }
    }
    // Streaming requests: the handler starts at once and reads as messages come.
    if (this.#inbox !== undefined) queueMicrotask(() => this.#run(this.#inbox));
    // A request that came with its headers (nearly every one) has run the handler by the end of
    // the read: only the others get a timer.
    else if (this.#env.requestTimeoutMs > 0) queueMicrotask(() => this.#awaitRequest());
  }

  #awaitRequest(): void {
    const limit = this.#env.requestTimeoutMs;
    const deadline = this.#ctx.deadline;
    if (this.#ran || this.#done || (deadline !== undefined && deadline - Date.now() <= limit)) return;
    this.#requestTimer = startTimer(
      () =>
        this.#fail(new RpcError(Status.DEADLINE_EXCEEDED, `the request did not arrive within ${limit} ms`)),
      limit,
    );
  }

  shed(error: RpcError): void {
    this.#fail(error);
  }

  #expire(): void {
    this.#fail(new RpcError(Status.DEADLINE_EXCEEDED, 'deadline exceeded'));
  }

  onMessage(bytes: Uint8Array, compressed: boolean): void {
    if (this.#done) return;
    if (compressed) {
      this.#compressedAt ??= [];
      this.#compressedAt.push(this.#arrived);
    }
    this.#arrived++;
    const counts = this.#ctx.messages;
    counts.messagesReceived++;
    counts.bytesReceived += bytes.length;
    counts.onMessage?.('received', bytes.length);
    this.#inbound.message(bytes, compressed, this.#receive);
  }

  /** The handler received the next request message: `ctx.requestCompressed` says how it came. */
  #took(): void {
    const index = this.#taken++;
    const compressed = this.#compressedAt?.[0] === index;
    if (compressed) this.#compressedAt!.shift();
    this.#ctx._requestCompressed = compressed;
  }

  readonly #receive = (bytes: Uint8Array): void => {
    const value = decodeChecked(this.#env.codecs.request, bytes, this.#call.maxMessageBytes, 'request');
    if (this.#inbox !== undefined) {
      this.#inbox.push(value);
      return;
    }
    if (++this.#requests > 1) {
      throw new RpcError(Status.INTERNAL, 'more than one request message for a single-request method');
    }
    this.#request = value;
    this.#took();
  };

  onHalfClose(): void {
    // A client half-closes once; a repeated half-close must not run the handler again.
    if (this.#done || this.#halfClosedSeen) return;
    this.#halfClosedSeen = true;
    this.#inbound.after(() => this.#halfClosed());
  }

  #halfClosed(): void {
    if (this.#inbox !== undefined) {
      this.#inbox.end();
      return;
    }
    if (this.#requests === 0) {
      this.#fail(new RpcError(Status.INTERNAL, 'the client half-closed without sending its request'));
      return;
    }
    this.#run(this.#request);
  }

  onCancel(error: RpcError): void {
    if (this.#done) return;
    this.#end(error.code, error);
    this.#ctx._abort(error);
    this.#inbox?.end();
  }

  /** Run the handler (through the interceptors) and send its outcome. */
  #run(input: unknown): void {
    if (this.#done) return;
    this.#ran = true;
    stopTimer(this.#requestTimer);
    const ctx = this.#ctx;
    const interceptors = activeInterceptors(this.#env.interceptors);
    let outcome: Promise<void> | undefined;
    try {
      outcome = callScope.run(ctx, () =>
        interceptors.length === 0
          ? this.#invoke(input)
          : runInterceptors(interceptors, ctx, () => this.#invoke(input) ?? Promise.resolve()),
      );
    } catch (err) {
      this.#failed(err);
      return;
    }
    if (outcome === undefined) this.#finish(undefined);
    else
      outcome.then(
        () => this.#finish(undefined),
        (err: unknown) => this.#failed(err),
      );
  }

  /**
   * Call the handler; undefined when its outcome is already sent. A unary or client-stream handler's
   * response is sent as soon as it is there — no async wrapper and no `await`: each promise costs the
   * AsyncLocalStorage hooks, and a short call made five of them.
   */
  #invoke(input: unknown): Promise<void> | undefined {
    const { kind, handler } = this.#env;
    const result = handler(input, this.#ctx);
    if (kind !== 'unary' && kind !== 'clientStream') return this.#stream(result as AsyncIterable<unknown>);
    // Promise.resolve returns a native promise itself, and adopts any other thenable.
    if (isThenable(result)) return Promise.resolve(result).then((response) => this.#respond(response));
    return this.#respond(result);
  }

  #respond(response: unknown): Promise<void> | undefined {
    return this.#done ? undefined : this.#send(response);
  }

  async #stream(result: AsyncIterable<unknown>): Promise<void> {
    const iterator = result[Symbol.asyncIterator]();
    try {
      while (!this.#done) {
        const step = await iterator.next();
        if (step.done === true || this.#done) break;
        const wait = this.#send(step.value);
        if (wait !== undefined) await wait;
      }
    } finally {
      // Cancelled or failed mid-stream: end the handler's generator so its `finally` blocks run.
      if (this.#done) await iterator.return?.();
    }
  }

  #failed(err: unknown): void {
    if (!(err instanceof RpcError)) this.#env.onError?.(err, this.#ctx);
    this.#finish(toRpcError(err));
  }

  #send(value: unknown): Promise<void> | undefined {
    const bytes = encodeChecked(this.#env.codecs.response, value, this.#call.maxMessageBytes, 'response');
    this.#sendHeaders();
    const compress = this.#ctx._compress ?? bytes.length >= this.#env.compressAt;
    if (compress && this.#call.acceptsGzip) {
      return gzip(bytes).then((packed) => {
        this.#sent(packed.length);
        if (!this.#done) return this.#call.write(packed, true);
      });
    }
    this.#sent(bytes.length);
    return this.#call.write(bytes, false);
  }

  #sent(bytes: number): void {
    const counts = this.#ctx.messages;
    counts.messagesSent++;
    counts.bytesSent += bytes;
    counts.onMessage?.('sent', bytes);
  }

  #sendHeaders(): void {
    if (this.#headersSent) return;
    this.#headersSent = true;
    this.#call.sendHeaders(this.#ctx._headersToSend());
  }

  #fail(error: RpcError): void {
    if (this.#done) return;
    this.#ctx._abort(error);
    this.#inbox?.end();
    this.#finish(error);
  }

  #finish(error: RpcError | undefined): void {
    if (this.#done) return;
    this.#end(error?.code ?? Status.OK, error);
    if (error !== undefined) this.#ctx._abort(error);
    // No message went out: the status travels alone (gRPC "Trailers-Only"), headers with it.
    this.#call.finish(error, this.#ctx._trailersToSend(!this.#headersSent));
  }

  #end(code: Status, error: RpcError | undefined): void {
    this.#done = true;
    if (this.#trace !== undefined) traceEnd(serverCalls, this.#trace, error, this.#ctx.messages);
    if (this.#startedAt >= 0 && serverEnd.hasSubscribers) {
      serverEnd.publish({
        path: this.#ctx.path,
        code,
        durationMs: performance.now() - this.#startedAt,
        peer: this.#ctx.peer,
      });
    }
    stopTimer(this.#timer);
    stopTimer(this.#requestTimer);
    this.#env.connections.release(this.#connection, this);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
