/**
 * One call through a channel: placed on an endpoint by the balancer (waiting for the first
 * addresses, or for an available endpoint with `waitForReady`), and tried again elsewhere when an
 * attempt fails in a way that is safe to retry — the server never saw it (`unprocessed`), or the
 * method is idempotent and the endpoint was UNAVAILABLE — before any response reached the caller,
 * within the channel's retry budget and the call's deadline. With hedging on, an idempotent unary
 * call still unanswered after a delay gets a second attempt elsewhere; the first answer wins.
 */
import type { ClientCallListener, ClientCallStart, ClientTransportCall } from '../call.js';
import { clientEnd, clientRetry } from '../diagnostics.js';
import { RpcError } from '../errors.js';
import { EMPTY_METADATA, type Metadata } from '../metadata.js';
import { Status } from '../status.js';
import { unrefTimer } from '../timer.js';
import { Backoff } from './backoff.js';
import type { Channel } from './channel.js';
import type { Endpoint } from './endpoint.js';

const NONE_TRIED: ReadonlySet<string> = new Set();

/** One attempt in flight. */
interface Live {
  readonly call: ClientTransportCall;
  readonly endpoint: Endpoint;
  readonly started: number;
}

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
  /** The attempt in flight, and a hedge beside it. */
  #live: Live | undefined;
  #hedge: Live | undefined;
  #hedgeTimer: NodeJS.Timeout | undefined;
  /** The endpoint of the latest attempt (diagnostics, retries). */
  #endpoint: Endpoint | undefined;
  #attempts = 0;
  /** The one transparent retry of a refused stream was used. */
  #transparent = false;
  /** The attempt whose response reached the caller: no more retries, the others are cancelled. */
  #winner: Live | undefined;
  #done = false;
  #waitingSince = 0;
  #cancelWait: (() => void) | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #placed: { promise: Promise<void>; resolve: () => void } | undefined;
  /** When the call began, for `weft:rpc:client:end`: read only while that channel has subscribers. */
  readonly #startedAt = clientEnd.hasSubscribers ? performance.now() : -1;

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
          new RpcError(Status.UNAVAILABLE, this.#channel._unavailableReason(), {
            unprocessed: true,
            cause: this.#channel._lastError(),
          }),
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
    const live = this.#launch(endpoint);
    if (live === undefined) return;
    this.#live = live;
    if (!this.#replayable) this.#writes.length = 0;
    this.#placed?.resolve();
    this.#placed = undefined;
    if (this.#attempts === 1) this.#armHedge();
  }

  /** Start an attempt on `endpoint`, replaying what was written. */
  #launch(endpoint: Endpoint): Live | undefined {
    this.#attempts++;
    this.#endpoint = endpoint;
    endpoint.started();
    const listener = new AttemptListener(this);
    let call: ClientTransportCall;
    try {
      call = endpoint.transport.start(this.#start, listener);
    } catch (err) {
      // Making the endpoint's transport failed (its options): no attempt is possible.
      endpoint.ended(0, 'cancelled');
      this.#finish(
        new RpcError(Status.INTERNAL, `cannot open a connection: ${String(err)}`, { cause: err }),
        undefined,
      );
      return undefined;
    }
    const live: Live = { call, endpoint, started: performance.now() };
    listener.live = live;
    for (const w of this.#writes) void call.write(w.bytes, w.compressed, w.end);
    if (this.#ended) call.end();
    if (this.#paused) call.pause();
    return live;
  }

  /** Hedging (idempotent unary calls, when configured): a second attempt after the delay. */
  #armHedge(): void {
    const hedge = this.#channel._options.hedge;
    if (hedge === undefined || !this.#start.method.idempotent || this.#start.method.kind !== 'unary') return;
    const delay = hedge.delayMs ?? this.#channel._latencyPercentile(hedge.percentile ?? 95);
    if (delay === undefined) return;
    this.#hedgeTimer = setTimeout(() => {
      this.#hedgeTimer = undefined;
      if (this.#done || this.#winner !== undefined || this.#live === undefined || this.#hedge !== undefined)
        return;
      const avoid = new Set(this.#tried ?? NONE_TRIED);
      avoid.add(this.#live.endpoint.key);
      const endpoint = this.#channel._pick(this.#start.method.path, this.#start.routingKey, avoid);
      if (endpoint === undefined || endpoint === this.#live.endpoint || !this.#channel._mayHedge()) return;
      if (clientRetry.hasSubscribers) {
        clientRetry.publish({
          path: this.#start.method.path,
          attempt: this.#attempts + 1,
          endpoint: this.#live.endpoint.key,
          hedge: true,
        });
      }
      this.#hedge = this.#launch(endpoint);
    }, delay);
    unrefTimer(this.#hedgeTimer);
  }

  #isLive(live: Live | undefined): boolean {
    return live !== undefined && (live === this.#live || live === this.#hedge);
  }

  /** The first attempt to answer wins; the other one is cancelled. */
  #commit(live: Live): boolean {
    if (this.#winner !== undefined) return this.#winner === live;
    this.#winner = live;
    clearTimeout(this.#hedgeTimer);
    const other = live === this.#live ? this.#hedge : this.#live;
    if (other !== undefined) this.#drop(other, 'cancelled');
    this.#live = live;
    this.#hedge = undefined;
    return true;
  }

  /** An attempt leaves: cancelled (`outcome` 'cancelled') or ended with its verdict. */
  #drop(live: Live, outcome: 'ok' | 'failed' | 'unreachable' | 'cancelled', error?: RpcError): void {
    if (live === this.#live) this.#live = undefined;
    if (live === this.#hedge) this.#hedge = undefined;
    if (outcome === 'cancelled') live.call.cancel();
    const ms = performance.now() - live.started;
    live.endpoint.ended(ms, outcome, error);
    if (outcome === 'ok') this.#channel._recordLatency(ms);
    this.#channel._endpointIdle(live.endpoint);
  }

  /** @internal */
  _headers(live: Live | undefined, metadata: Metadata): void {
    if (!this.#isLive(live) || !this.#commit(live!)) return;
    this.#listener.onHeaders(metadata);
  }

  /** @internal */
  _message(live: Live | undefined, bytes: Uint8Array, compressed: boolean): void {
    if (!this.#isLive(live) || !this.#commit(live!)) return;
    this.#listener.onMessage(bytes, compressed);
  }

  /** @internal */
  _status(live: Live | undefined, error: RpcError | undefined, trailers: Metadata): void {
    if (!this.#isLive(live)) return;
    const attempt = live!;
    // A refused stream says nothing against the endpoint: it answered, at its stream limit.
    const outcome =
      error === undefined
        ? 'ok'
        : error.refused
          ? 'cancelled'
          : error.unprocessed
            ? 'unreachable'
            : error.code === Status.UNAVAILABLE
              ? 'failed'
              : 'ok';
    this.#drop(attempt, outcome, error);
    if (outcome === 'unreachable') this.#channel._refresh();
    if (this.#winner === attempt || error === undefined) {
      this.#commit(attempt);
      this.#finish(error, trailers);
      return;
    }
    // A failed attempt while another is still in flight (a hedge): that one decides.
    this.#tried ??= new Set();
    this.#tried.add(attempt.endpoint.key);
    if (this.#live !== undefined || this.#hedge !== undefined) return;
    if (error.refused && this.#replayable && !this.#transparent && !this.#done) {
      // Once, at once, on any endpoint (the same one queues it now that its limit is known).
      this.#transparent = true;
      this.#attempts--;
      this.#tried.delete(attempt.endpoint.key);
      this.#place();
      return;
    }
    if (this.#retryable(error) && this.#retryAfter(error, attempt.endpoint)) return;
    this.#finish(error, trailers);
  }

  #retryable(error: RpcError): boolean {
    if (this.#done || this.#winner !== undefined || this.#attempts >= this.#maxAttempts) return false;
    if (error.noRetry) return false;
    return error.unprocessed || (this.#start.method.idempotent && error.code === Status.UNAVAILABLE);
  }

  /** Schedule the next attempt if the deadline and the budget allow; false when they do not. */
  #retryAfter(error: RpcError, failed: Endpoint): boolean {
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
    this.#channel._options.logger?.debug(
      {
        path: this.#start.method.path,
        attempt: this.#attempts + 1,
        after: failed.key,
        error: error.message,
        delayMs: Math.round(delay),
      },
      'weft: retrying',
    );
    if (clientRetry.hasSubscribers) {
      clientRetry.publish({
        path: this.#start.method.path,
        attempt: this.#attempts + 1,
        endpoint: failed.key,
        code: error.code,
      });
    }
    this.#retryTimer = setTimeout(() => this.#place(), delay);
    return true;
  }

  #finish(error: RpcError | undefined, trailers: Metadata | undefined): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#hedgeTimer);
    if (this.#startedAt >= 0 && clientEnd.hasSubscribers) this.#publishEnd(error?.code ?? Status.OK);
    this.#placed?.resolve();
    this.#channel._settled(error === undefined);
    // Failed before any attempt answered: the empty trailers of a local failure.
    this.#listener.onStatus(error, trailers ?? EMPTY_METADATA);
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

  get peer(): string | undefined {
    return this.#endpoint?.key;
  }

  write(bytes: Uint8Array, compressed: boolean, end: boolean): Promise<void> | undefined {
    if (this.#done) return undefined;
    const live = this.#live;
    if (this.#replayable || live === undefined) this.#writes.push({ bytes, compressed, end });
    if (live !== undefined) {
      void this.#hedge?.call.write(bytes, compressed, end);
      return live.call.write(bytes, compressed, end);
    }
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
    this.#live?.call.end();
    this.#hedge?.call.end();
  }

  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#startedAt >= 0 && clientEnd.hasSubscribers) this.#publishEnd(Status.CANCELLED);
    this.#cancelWait?.();
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#hedgeTimer);
    this.#placed?.resolve();
    if (this.#live !== undefined) this.#drop(this.#live, 'cancelled');
    if (this.#hedge !== undefined) this.#drop(this.#hedge, 'cancelled');
    this.#channel._settled(false);
  }

  pause(): void {
    this.#paused = true;
    this.#live?.call.pause();
    this.#hedge?.call.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#live?.call.resume();
    this.#hedge?.call.resume();
  }
}

/** Where one attempt's transport reports: forwarded to the call with the attempt it belongs to. */
class AttemptListener implements ClientCallListener {
  readonly #call: ChannelCall;
  /** Set once the transport accepted the attempt (events before that cannot happen: they are queued). */
  live: Live | undefined;

  constructor(call: ChannelCall) {
    this.#call = call;
  }

  onHeaders(metadata: Metadata): void {
    this.#call._headers(this.live, metadata);
  }

  onMessage(bytes: Uint8Array, compressed: boolean): void {
    this.#call._message(this.live, bytes, compressed);
  }

  onStatus(error: RpcError | undefined, trailers: Metadata): void {
    this.#call._status(this.live, error, trailers);
  }
}
