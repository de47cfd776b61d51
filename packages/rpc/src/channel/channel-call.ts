/**
 * One call through a channel: placed on an endpoint by the balancer (waiting for the first
 * addresses, or for an available endpoint with `waitForReady`), and tried again elsewhere when an
 * attempt fails in a way that is safe to retry — the server never saw it (`unprocessed`), or the
 * method is idempotent and the endpoint was UNAVAILABLE — before any response reached the caller,
 * within the channel's retry budget and the call's deadline.
 */
import type { ClientCallListener, ClientCallStart, ClientTransportCall } from '../call.js';
import { clientEnd, clientRetry } from '../diagnostics.js';
import { RpcError } from '../errors.js';
import { EMPTY_METADATA, type Metadata } from '../metadata.js';
import { Status } from '../status.js';
import { Backoff } from './backoff.js';
import type { Channel } from './channel.js';
import type { Endpoint } from './endpoint.js';

const NONE_TRIED: ReadonlySet<string> = new Set();

interface Write {
  bytes: Uint8Array;
  compressed: boolean;
  end: boolean;
}

export class ChannelCall implements ClientTransportCall {
  readonly #channel: Channel;
  readonly #start: ClientCallStart;
  readonly #listener: ClientCallListener;
  /** Unary and server-streaming calls send one message: kept, they can be sent again. */
  readonly #replayable: boolean;
  readonly #maxAttempts: number;
  /** Made on the first retry: most calls never need them. */
  #backoff: Backoff | undefined;
  #tried: Set<string> | undefined;
  readonly #writes: Write[] = [];
  /** `end()` was called: half-close without a message (a write with `end` carries its own). */
  #ended = false;
  #paused = false;
  #attempt: ClientTransportCall | undefined;
  #endpoint: Endpoint | undefined;
  #attemptStarted = 0;
  #attempts = 0;
  /** A response reached the caller: no more retries. */
  #committed = false;
  #done = false;
  #waitingSince = 0;
  #cancelWait: (() => void) | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #placed: { promise: Promise<void>; resolve: () => void } | undefined;
  readonly #startedAt = performance.now();

  constructor(channel: Channel, start: ClientCallStart, listener: ClientCallListener) {
    this.#channel = channel;
    this.#start = start;
    this.#listener = listener;
    const kind = start.method.kind;
    this.#replayable = kind === 'unary' || kind === 'serverStream';
    this.#maxAttempts = this.#replayable ? Math.max(1, channel._options.retry?.maxAttempts ?? 3) : 1;
    this.#place();
  }

  #place(): void {
    this.#retryTimer = undefined;
    if (this.#done) return;
    if (this.#channel._closed) {
      this.#finish(new RpcError(Status.UNAVAILABLE, 'the client is closed', { noRetry: true }), undefined);
      return;
    }
    const endpoint = this.#channel._resolved
      ? this.#channel._pick(this.#start.method.path, this.#start.routingKey, this.#tried ?? NONE_TRIED)
      : undefined;
    if (endpoint === undefined) {
      this.#waitingSince ||= Date.now();
      const limit = this.#channel._options.resolveTimeoutMs ?? 10_000;
      // Until the first addresses come, calls wait (within the limit) unless the resolver already
      // failed; after that only waitForReady calls wait. The deadline ends any wait.
      const keepWaiting =
        this.#start.waitForReady === true ||
        (!this.#channel._resolved &&
          !this.#channel._resolverFailing &&
          Date.now() - this.#waitingSince < limit);
      if (!keepWaiting) {
        this.#finish(
          new RpcError(Status.UNAVAILABLE, this.#channel._unavailableReason(), { unprocessed: true }),
          undefined,
        );
        return;
      }
      // The call's deadline cancels it (cancel() stops the wait).
      this.#cancelWait = this.#channel._wait(() => {
        this.#cancelWait = undefined;
        this.#place();
      });
      return;
    }
    this.#waitingSince = 0;
    this.#attempts++;
    this.#endpoint = endpoint;
    this.#attemptStarted = performance.now();
    endpoint.started();
    let attempt: ClientTransportCall;
    try {
      attempt = endpoint.transport.start(this.#start, new AttemptListener(this, this.#attempts, endpoint));
    } catch (err) {
      // Making the endpoint's transport failed (its options): no attempt is possible.
      endpoint.ended(0, 'cancelled');
      this.#finish(
        new RpcError(Status.INTERNAL, `cannot open a connection: ${String(err)}`, { cause: err }),
        undefined,
      );
      return;
    }
    this.#attempt = attempt;
    for (const w of this.#writes) void attempt.write(w.bytes, w.compressed, w.end);
    if (!this.#replayable) this.#writes.length = 0;
    if (this.#ended) attempt.end();
    if (this.#paused) attempt.pause();
    this.#placed?.resolve();
    this.#placed = undefined;
  }

  /** @internal an attempt's events count only while it is the current one. */
  _current(attempt: number): boolean {
    return this.#attempt !== undefined && this.#attempts === attempt;
  }

  /** @internal */
  _headers(attempt: number, metadata: Metadata): void {
    if (!this._current(attempt)) return;
    this.#committed = true;
    this.#listener.onHeaders(metadata);
  }

  /** @internal */
  _message(attempt: number, bytes: Uint8Array, compressed: boolean): void {
    if (!this._current(attempt)) return;
    this.#committed = true;
    this.#listener.onMessage(bytes, compressed);
  }

  /** @internal */
  _status(attempt: number, endpoint: Endpoint, error: RpcError | undefined, trailers: Metadata): void {
    if (!this._current(attempt)) return;
    this.#attempt = undefined;
    const outcome =
      error === undefined
        ? 'ok'
        : error.unprocessed
          ? 'unreachable'
          : error.code === Status.UNAVAILABLE
            ? 'failed'
            : 'ok';
    endpoint.ended(performance.now() - this.#attemptStarted, outcome);
    this.#channel._endpointIdle(endpoint);
    if (outcome === 'unreachable') this.#channel._refresh();
    if (error !== undefined && this.#retryable(error) && this.#retryAfter(error)) return;
    this.#finish(error, trailers);
  }

  #retryable(error: RpcError): boolean {
    if (this.#done || this.#committed || this.#attempts >= this.#maxAttempts) return false;
    if (error.noRetry) return false;
    return error.unprocessed || (this.#start.method.idempotent && error.code === Status.UNAVAILABLE);
  }

  /** Schedule the next attempt if the deadline and the budget allow; false when they do not. */
  #retryAfter(error: RpcError): boolean {
    this.#backoff ??= new Backoff({
      initialMs: 25,
      multiplier: 2,
      maxMs: 1000,
      jitter: 0.2,
      ...this.#channel._options.retry?.backoff,
    });
    const delay = this.#backoff.next();
    const deadline = this.#start.deadline;
    if (deadline !== undefined && Date.now() + delay >= deadline) return false;
    if (!this.#channel._mayRetry()) return false;
    // The next attempt avoids every endpoint tried so far, while others remain.
    if (this.#endpoint !== undefined) {
      this.#tried ??= new Set();
      this.#tried.add(this.#endpoint.key);
    }
    if (clientRetry.hasSubscribers) {
      clientRetry.publish({
        path: this.#start.method.path,
        attempt: this.#attempts + 1,
        endpoint: this.#endpoint?.key,
        code: error.code,
      });
    }
    this.#retryTimer = setTimeout(() => this.#place(), delay);
    return true;
  }

  #finish(error: RpcError | undefined, trailers: Metadata | undefined): void {
    if (this.#done) return;
    this.#done = true;
    if (clientEnd.hasSubscribers) this.#publishEnd(error?.code ?? Status.OK);
    this.#placed?.resolve();
    this.#channel._settled(error === undefined);
    if (trailers === undefined) {
      // Failed before any attempt answered: the empty trailers of a local failure.
      this.#listener.onStatus(error, EMPTY_METADATA);
    } else this.#listener.onStatus(error, trailers);
  }

  #publishEnd(code: Status): void {
    clientEnd.publish({
      path: this.#start.method.path,
      code,
      durationMs: performance.now() - this.#startedAt,
      attempts: this.#attempts,
      endpoint: this.#endpoint?.key,
    });
  }

  write(bytes: Uint8Array, compressed: boolean, end: boolean): Promise<void> | undefined {
    if (this.#done) return undefined;
    if (this.#replayable || this.#attempt === undefined) this.#writes.push({ bytes, compressed, end });
    if (this.#attempt !== undefined) return this.#attempt.write(bytes, compressed, end);
    // Not placed yet: the caller waits until the call is (the write is then sent).
    if (this.#placed === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#placed = { promise, resolve };
    }
    return this.#placed.promise;
  }

  end(): void {
    if (this.#done) return;
    this.#ended = true;
    this.#attempt?.end();
  }

  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    if (clientEnd.hasSubscribers) this.#publishEnd(Status.CANCELLED);
    this.#cancelWait?.();
    clearTimeout(this.#retryTimer);
    this.#placed?.resolve();
    const attempt = this.#attempt;
    const endpoint = this.#endpoint;
    this.#attempt = undefined;
    if (attempt !== undefined && endpoint !== undefined) {
      attempt.cancel();
      endpoint.ended(performance.now() - this.#attemptStarted, 'cancelled');
      this.#channel._endpointIdle(endpoint);
    }
    this.#channel._settled(false);
  }

  pause(): void {
    this.#paused = true;
    this.#attempt?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#attempt?.resume();
  }
}

/** Where one attempt's transport reports: forwarded to the call, tagged with the attempt. */
class AttemptListener implements ClientCallListener {
  readonly #call: ChannelCall;
  readonly #attempt: number;
  readonly #endpoint: Endpoint;

  constructor(call: ChannelCall, attempt: number, endpoint: Endpoint) {
    this.#call = call;
    this.#attempt = attempt;
    this.#endpoint = endpoint;
  }

  onHeaders(metadata: Metadata): void {
    this.#call._headers(this.#attempt, metadata);
  }

  onMessage(bytes: Uint8Array, compressed: boolean): void {
    this.#call._message(this.#attempt, bytes, compressed);
  }

  onStatus(error: RpcError | undefined, trailers: Metadata): void {
    this.#call._status(this.#attempt, this.#endpoint, error, trailers);
  }
}
