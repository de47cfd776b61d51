/**
 * A channel: target → resolver → addresses → endpoints (each with its own transport) → a balancer
 * picks one per call; failed attempts are retried elsewhere within a budget. To the call layer it
 * is just another transport.
 */

import type { ClientCallListener, ClientCallStart, ClientTransport, ClientTransportCall } from '../call.js';
import { failedCall } from '../call.js';
import { RpcError } from '../errors.js';
import type { Logger } from '../log.js';
import { Status } from '../status.js';
import type { BackoffOptions } from './backoff.js';
import type { Balancer } from './balancer.js';
import { ChannelCall } from './channel-call.js';
import { type EjectionOptions, Endpoint, type EndpointState } from './endpoint.js';
import type { HealthChecker } from './health-check.js';
import { type Address, addressKey, type Resolver } from './resolver.js';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';

/** Retries of a channel. */
export interface RetryOptions {
  /** Attempts per call, the first included. Default 3; 1 turns retries off. */
  maxAttempts?: number;
  /** Default: 20% of calls plus 10 per second. */
  budget?: RetryBudgetOptions;
  /** Wait before the n-th retry: exponential from `initialMs` (default 25) to `maxMs` (default 1 s), ±20%. */
  backoff?: BackoffOptions;
}

/**
 * Hedged (backup) requests: an idempotent unary call still unanswered after the delay gets a second
 * attempt on another endpoint; the first answer wins and the other is cancelled. Opt-in; each
 * hedge spends from the retry budget.
 */
export interface HedgeOptions {
  /** A fixed delay, in ms. */
  delayMs?: number;
  /** Or: the channel's observed latency percentile (default 95), once it has 20 samples. */
  percentile?: number;
}

/** Options of a channel. */
export interface ChannelOptions {
  retry?: RetryOptions;
  hedge?: HedgeOptions;
  /** Reconnect backoff of an endpoint that could not be reached (gRPC's defaults: 1 s ×1.6 to 120 s). */
  reconnect?: BackoffOptions;
  ejection?: EjectionOptions;
  /** A call waits this long for the resolver's first addresses before UNAVAILABLE. Default 10 s. */
  resolveTimeoutMs?: number;
  /** Active health checks of every endpoint (off by default): a client's come from `healthChecker`. */
  healthCheck?: HealthChecker;
  /** The client's service, the default subject of health checks. */
  service?: string;
  /** Where the channel tells what it does on its own (endpoint states, ejections, retries, resolution). */
  logger?: Logger | undefined;
}

/** What {@link Channel.stats} reports. */
export interface ChannelStats {
  callsStarted: number;
  callsSucceeded: number;
  callsFailed: number;
  callsInFlight: number;
  /** Attempts after the first. */
  retries: number;
  /** Retries the budget refused. */
  retriesDenied: number;
  /** Hedged attempts started. */
  hedges: number;
  endpoints: {
    address: string;
    state: EndpointState;
    inFlight: number;
    latencyMs: number;
    ejected: boolean;
    /** The last active health check's verdict (true when none runs). */
    healthy: boolean;
    failures: number;
    /** Its last failure — could not connect, or UNAVAILABLE — and when (epoch ms). */
    lastError?: { message: string; at: number };
    /** Connections to it open now, and TLS connections that resumed a session so far. */
    connections: number;
    tlsResumed: number;
  }[];
  /** The last resolution error, if the resolver is failing. */
  resolverError?: string;
}

/** How often calls waiting for an endpoint look again. */
const WAIT_POLL_MS = 50;

export class Channel implements ClientTransport {
  readonly #resolver: Resolver;
  readonly #balancer: Balancer;
  readonly #make: (address: Address) => ClientTransport;
  readonly #options: ChannelOptions;
  readonly #budget: RetryBudget;
  #endpoints: Endpoint[] = [];
  #resolved = false;
  #resolverError: Error | undefined;
  #closed = false;
  /** Calls waiting for addresses or an available endpoint. */
  readonly #waiting = new Set<() => void>();
  #stats = {
    callsStarted: 0,
    callsSucceeded: 0,
    callsFailed: 0,
    callsInFlight: 0,
    retries: 0,
    retriesDenied: 0,
    hedges: 0,
  };

  constructor(
    resolver: Resolver,
    balancer: Balancer,
    make: (address: Address) => ClientTransport,
    options: ChannelOptions = {},
  ) {
    this.#resolver = resolver;
    this.#balancer = balancer;
    this.#make = make;
    this.#options = options;
    this.#budget = new RetryBudget(options.retry?.budget);
    resolver.start(
      (addresses) => this.#update(addresses),
      (err) => {
        this.#resolverError = err;
        options.logger?.warn({ error: err.message }, 'weft: resolution failed');
        this.#wake();
      },
    );
  }

  /** Whether one more endpoint may be ejected: never the last one in, and within the cap. */
  #mayEject(): boolean {
    const total = this.#endpoints.length;
    let ejected = 0;
    for (const e of this.#endpoints) if (e.ejected) ejected++;
    const percent = this.#options.ejection?.maxEjectionPercent ?? 10;
    return total - ejected > 1 && (ejected * 100) / total < percent;
  }

  /** Replace the endpoint list: kept endpoints keep their connections and statistics. */
  #update(addresses: Address[]): void {
    if (this.#closed) return;
    this.#resolverError = undefined;
    // An endpoint is kept while its address, weight and attributes stay the same.
    const identity = (a: Address) =>
      `${addressKey(a)}*${a.weight ?? 1}*${JSON.stringify(a.attributes ?? {})}`;
    const old = new Map(this.#endpoints.map((e) => [identity(e.address), e]));
    const next = addresses.map((a) => {
      const key = identity(a);
      const kept = old.get(key);
      old.delete(key);
      if (kept !== undefined) return kept;
      const endpoint = new Endpoint(
        a,
        this.#make,
        this.#options.reconnect ?? {},
        this.#options.ejection ?? {},
        () => this.#mayEject(),
        this.#options.logger,
      );
      endpoint.stopHealthCheck = this.#options.healthCheck?.(endpoint, this.#options.service ?? '', () =>
        this.#wake(),
      );
      return endpoint;
    });
    // Removed endpoints close once their calls are done (a call in flight keeps its transport).
    for (const gone of old.values()) this.#retire(gone);
    this.#options.logger?.debug(
      { addresses: next.map((e) => e.key).join(','), removed: old.size },
      'weft: resolved',
    );
    this.#endpoints = next;
    this.#resolved = true;
    this.#wake();
  }

  #retire(endpoint: Endpoint): void {
    if (endpoint.inFlight === 0) endpoint.close();
    else this.#retiring.add(endpoint);
  }

  readonly #retiring = new Set<Endpoint>();

  #wake(): void {
    for (const resume of [...this.#waiting]) resume();
  }

  /** The channel's counters and its endpoints' states. */
  stats(): ChannelStats {
    return {
      ...this.#stats,
      endpoints: this.#endpoints.map((e) => ({
        address: e.key,
        state: e.state,
        inFlight: e.inFlight,
        latencyMs: e.latencyMs,
        ejected: e.ejected,
        healthy: e.healthy,
        failures: e.failures,
        ...(e.lastError === undefined
          ? {}
          : { lastError: { message: e.lastError.error.message, at: e.lastError.at } }),
        ...(e.transportStats() ?? { connections: 0, tlsResumed: 0 }),
      })),
      ...(this.#resolverError === undefined ? {} : { resolverError: this.#resolverError.message }),
    };
  }

  start(start: ClientCallStart, listener: ClientCallListener): ClientTransportCall {
    if (this.#closed)
      return failedCall(
        listener,
        new RpcError(Status.UNAVAILABLE, 'the client is closed', { noRetry: true }),
      );
    this.#stats.callsStarted++;
    this.#stats.callsInFlight++;
    this.#budget.deposit();
    return new ChannelCall(this, start, listener);
  }

  /** @internal pick an endpoint, avoiding `tried` while others remain. */
  _pick(path: string, routingKey: string | undefined, tried: ReadonlySet<string>): Endpoint | undefined {
    const all = this.#endpoints;
    const fresh = tried.size === 0 ? all : all.filter((e) => !tried.has(e.key));
    const info = { path, routingKey };
    const picked =
      (fresh.length > 0 ? this.#balancer.pick(fresh, info) : undefined) ?? this.#balancer.pick(all, info);
    return picked as Endpoint | undefined;
  }

  /** @internal why no endpoint can be picked now. */
  _unavailableReason(): string {
    if (!this.#resolved) {
      return this.#resolverError === undefined
        ? 'no addresses resolved yet'
        : `resolution failed: ${this.#resolverError.message}`;
    }
    if (this.#endpoints.length === 0) return 'the target resolved to no address';
    const states = this.#endpoints.map((e) => `${e.key} ${e.ejected ? 'ejected' : e.state}`).join(', ');
    const last = this.#lastFailure();
    const why = last === undefined ? '' : `; last error (${last.key}): ${last.error.message}`;
    return `no endpoint is available (${states})${why}`;
  }

  /** @internal the most recent failure of any endpoint: the cause of "no endpoint is available". */
  _lastError(): Error | undefined {
    return this.#lastFailure()?.error;
  }

  #lastFailure(): { key: string; error: Error } | undefined {
    let last: { key: string; error: Error; at: number } | undefined;
    for (const e of this.#endpoints) {
      const f = e.lastError;
      if (f !== undefined && (last === undefined || f.at > last.at)) last = { key: e.key, ...f };
    }
    return last;
  }

  /** @internal the resolver reported an error since its last list. */
  get _resolverFailing(): boolean {
    return this.#resolverError !== undefined;
  }

  /** @internal whether calls wait for the first resolution. */
  get _resolved(): boolean {
    return this.#resolved;
  }

  /**
   * @internal call `resume` once, when the endpoint list or an endpoint's availability may have
   * changed (or after a short poll, for backoffs and ejections running out); returns a canceller.
   */
  _wait(resume: () => void): () => void {
    const once = () => {
      clearTimeout(timer);
      this.#waiting.delete(once);
      resume();
    };
    const timer = setTimeout(once, WAIT_POLL_MS);
    this.#waiting.add(once);
    return () => {
      clearTimeout(timer);
      this.#waiting.delete(once);
    };
  }

  /** @internal the budget allows one more attempt. */
  _mayRetry(): boolean {
    if (this.#budget.tryWithdraw()) {
      this.#stats.retries++;
      return true;
    }
    this.#stats.retriesDenied++;
    return false;
  }

  /** @internal the budget allows a hedge. */
  _mayHedge(): boolean {
    if (!this.#budget.tryWithdraw()) return false;
    this.#stats.hedges++;
    return true;
  }

  /** Latencies of recent successful attempts (a ring), for hedging delays. */
  readonly #latencies = new Float64Array(512);
  #latencyCount = 0;
  #percentileCache: { p: number; value: number; at: number } | undefined;

  /** @internal */
  _recordLatency(ms: number): void {
    this.#latencies[this.#latencyCount++ % this.#latencies.length] = ms;
  }

  /** @internal the `p`th percentile of recent latencies (recomputed every 64 samples), or undefined before 20. */
  _latencyPercentile(p: number): number | undefined {
    const n = Math.min(this.#latencyCount, this.#latencies.length);
    if (n < 20) return undefined;
    const cached = this.#percentileCache;
    if (cached !== undefined && cached.p === p && this.#latencyCount - cached.at < 64) return cached.value;
    const sorted = this.#latencies.slice(0, n).sort();
    const value = sorted[Math.min(n - 1, Math.floor((p / 100) * n))]!;
    this.#percentileCache = { p, value, at: this.#latencyCount };
    return value;
  }

  /** @internal an endpoint's call ended: close it if it left the list. */
  _endpointIdle(endpoint: Endpoint): void {
    if (endpoint.inFlight === 0 && this.#retiring.delete(endpoint)) endpoint.close();
    if (this.#waiting.size > 0 && endpoint.available) this.#wake();
  }

  /** @internal a call settled. */
  _settled(ok: boolean): void {
    this.#stats.callsInFlight--;
    if (ok) this.#stats.callsSucceeded++;
    else this.#stats.callsFailed++;
  }

  /** @internal */
  get _options(): ChannelOptions {
    return this.#options;
  }

  /** @internal ask the resolver again (an endpoint could not be reached). */
  _refresh(): void {
    this.#resolver.refresh();
  }

  close(): void {
    this.#closed = true;
    this.#resolver.close();
    for (const e of this.#endpoints) e.close();
    for (const e of this.#retiring) e.close();
    this.#wake();
  }

  /** @internal */
  get _closed(): boolean {
    return this.#closed;
  }
}
