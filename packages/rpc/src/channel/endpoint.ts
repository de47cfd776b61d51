/**
 * One endpoint of a channel: its transport (connections made lazily), what the balancers look at
 * (calls in flight, an EWMA of latency), and its health — a state, reconnect backoff after the
 * endpoint could not be reached, and outlier ejection after consecutive failures.
 */

import type { ClientTransport, TransportStats } from '../call.js';
import { endpointState } from '../diagnostics.js';
import type { Logger } from '../log.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { type Address, addressKey } from './resolver.js';

/**
 * - `idle`: no call yet;
 * - `connecting`: calls in flight, none finished yet;
 * - `ready`: the last call reached the server;
 * - `transient-failure`: the endpoint could not be reached; not picked until its backoff passes.
 */
export type EndpointState = 'idle' | 'connecting' | 'ready' | 'transient-failure';

/** What a balancer sees of an endpoint. */
export interface EndpointView {
  /** `host:port`. */
  readonly key: string;
  readonly address: Address;
  readonly state: EndpointState;
  /** Neither backing off nor ejected: a balancer should prefer it. */
  readonly available: boolean;
  readonly inFlight: number;
  /** EWMA of call latency in ms; NaN before the first call ends. */
  readonly latencyMs: number;
  /** Relative share of calls, from discovery (default 1). */
  readonly weight: number;
}

/**
 * Outlier ejection: after `consecutiveFailures` failures in a row the endpoint sits out `baseMs`,
 * then twice that, ... — unless that would eject the last endpoint not ejected, or more than
 * `maxEjectionPercent` of them are out already (as gRPC and Envoy cap it).
 */
export interface EjectionOptions {
  /** Default 5; 0 turns ejection off. */
  consecutiveFailures?: number;
  /** Eject only while fewer than this share (%) of the endpoints are ejected. Default 10. */
  maxEjectionPercent?: number;
  /** Default 10 s. */
  baseMs?: number;
  /** Default 5 min. */
  maxMs?: number;
}

/** Weight of the newest sample in the latency EWMA. */
const EWMA_ALPHA = 0.3;

export class Endpoint implements EndpointView {
  readonly key: string;
  readonly address: Address;
  readonly weight: number;
  #state: EndpointState = 'idle';
  inFlight = 0;
  latencyMs = Number.NaN;
  /** Failures in a row (reset by a success). */
  failures = 0;
  /** Times ejected so far (each ejection lasts longer). */
  ejections = 0;
  /** The last failure seen here (could not connect, or UNAVAILABLE), and when (epoch ms). */
  lastError: { error: Error; at: number } | undefined;
  #backoffUntil = 0;
  #ejectedUntil = 0;
  readonly #backoff: Backoff;
  readonly #ejection: Required<Omit<EjectionOptions, 'maxEjectionPercent'>>;
  readonly #mayEject: () => boolean;
  readonly #logger: Logger | undefined;
  #transport: ClientTransport | undefined;
  readonly #make: (address: Address) => ClientTransport;

  constructor(
    address: Address,
    make: (address: Address) => ClientTransport,
    backoff: BackoffOptions,
    ejection: EjectionOptions,
    mayEject: () => boolean = () => true,
    logger?: Logger,
  ) {
    this.#mayEject = mayEject;
    this.#logger = logger;
    this.address = address;
    this.key = addressKey(address);
    this.weight = address.weight ?? 1;
    this.#make = make;
    this.#backoff = new Backoff(backoff);
    this.#ejection = {
      consecutiveFailures: ejection.consecutiveFailures ?? 5,
      baseMs: ejection.baseMs ?? 10_000,
      maxMs: ejection.maxMs ?? 300_000,
    };
  }

  get state(): EndpointState {
    return this.#state;
  }

  set state(next: EndpointState) {
    if (next === this.#state) return;
    this.#state = next;
    this.#publish();
  }

  #publish(): void {
    if (endpointState.hasSubscribers)
      endpointState.publish({ endpoint: this.key, state: this.#state, ejected: this.ejected });
    this.#logger?.[this.#state === 'transient-failure' ? 'warn' : 'debug'](
      {
        endpoint: this.key,
        state: this.#state,
        ejected: this.ejected || undefined,
        error: this.#state === 'transient-failure' ? this.lastError?.error.message : undefined,
      },
      'weft: endpoint',
    );
  }

  get transport(): ClientTransport {
    this.#transport ??= this.#make(this.address);
    return this.#transport;
  }

  /** The last active health check said SERVING (true until one says otherwise, or when not checked). */
  healthy = true;
  /** Stops the active health check, if one runs. */
  stopHealthCheck: (() => void) | undefined;

  /** Every pick asks: the clock is read only while a backoff or an ejection is set (0 once over). */
  get available(): boolean {
    if (!this.healthy) return false;
    if (this.#backoffUntil === 0 && this.#ejectedUntil === 0) return true;
    const now = Date.now();
    if (now >= this.#backoffUntil) this.#backoffUntil = 0;
    if (now >= this.#ejectedUntil) this.#ejectedUntil = 0;
    return this.#backoffUntil === 0 && this.#ejectedUntil === 0;
  }

  /** Ejected (outlier) right now. */
  get ejected(): boolean {
    return Date.now() < this.#ejectedUntil;
  }

  /** A call starts here. */
  started(): void {
    this.inFlight++;
    if (this.state === 'idle') this.state = 'connecting';
  }

  /**
   * A call ended: `ok` when the server gave a verdict (any status it sent counts), `failed` for
   * UNAVAILABLE, `unreachable` when the endpoint could not be reached at all, `cancelled` when the
   * caller gave up (no verdict on the endpoint).
   */
  ended(ms: number, outcome: 'ok' | 'failed' | 'unreachable' | 'cancelled', error?: Error): void {
    this.inFlight--;
    if (outcome === 'cancelled') return;
    if (outcome !== 'ok' && error !== undefined) this.lastError = { error, at: Date.now() };
    if (outcome === 'ok') {
      this.latencyMs = Number.isNaN(this.latencyMs)
        ? ms
        : this.latencyMs + EWMA_ALPHA * (ms - this.latencyMs);
      this.failures = 0;
      this.state = 'ready';
      this.#backoff.reset();
      return;
    }
    this.failures++;
    const now = Date.now();
    if (outcome === 'unreachable') {
      this.state = 'transient-failure';
      // Calls that fail together (a refused connection fails them all) back off once.
      if (now >= this.#backoffUntil) this.#backoffUntil = now + this.#backoff.next();
    }
    const { consecutiveFailures, baseMs, maxMs } = this.#ejection;
    if (
      consecutiveFailures > 0 &&
      this.failures >= consecutiveFailures &&
      now >= this.#ejectedUntil &&
      this.#mayEject()
    ) {
      const forMs = Math.min(baseMs * 2 ** this.ejections, maxMs);
      this.#ejectedUntil = now + forMs;
      this.ejections++;
      this.failures = 0;
      this.#logger?.info(
        { endpoint: this.key, forMs, error: this.lastError?.error.message },
        `weft: endpoint ejected after ${consecutiveFailures} failures in a row`,
      );
      this.#publish();
    }
  }

  /** The transport's connection counts, once it exists. */
  transportStats(): TransportStats | undefined {
    return this.#transport?.connectionStats?.();
  }

  close(): void {
    this.stopHealthCheck?.();
    this.#transport?.close();
    this.#transport = undefined;
  }
}
