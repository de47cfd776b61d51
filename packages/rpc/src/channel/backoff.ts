/**
 * Exponential backoff with jitter, as gRPC's connection-backoff spec: the n-th delay is
 * `min(initial × multiplier^n, max)`, spread by ±jitter so that clients do not retry in step.
 */
export interface BackoffOptions {
  initialMs?: number;
  multiplier?: number;
  jitter?: number;
  maxMs?: number;
}

export class Backoff {
  readonly #initial: number;
  readonly #multiplier: number;
  readonly #jitter: number;
  readonly #max: number;
  #attempt = 0;

  /** Defaults as gRPC's connection backoff: 1 s, ×1.6, ±20%, at most 120 s. */
  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 1000;
    this.#multiplier = options.multiplier ?? 1.6;
    this.#jitter = options.jitter ?? 0.2;
    this.#max = options.maxMs ?? 120_000;
  }

  /** The next delay, in ms. */
  next(random: () => number = Math.random): number {
    const base = Math.min(this.#initial * this.#multiplier ** this.#attempt, this.#max);
    this.#attempt++;
    return Math.max(0, base * (1 + this.#jitter * (2 * random() - 1)));
  }

  reset(): void {
    this.#attempt = 0;
  }
}
