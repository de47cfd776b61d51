/**
 * A token bucket over an injected clock (milliseconds): `burst` at once, `rate` regained per second,
 * so a long healthy connection is never punished for its lifetime total. The budgets every weft
 * protocol core puts on what a peer can make it answer (pings, resets, settings) are these.
 */

/** One budget: sustained `rate` per second, `burst` at once. */
export interface Budget {
  rate: number;
  burst: number;
}

export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(budget: Budget, now: number) {
    this.#rate = budget.rate / 1000;
    this.#burst = budget.burst;
    this.#tokens = budget.burst;
    this.#at = now;
  }

  /** Spend one token; false when the budget is exhausted. */
  take(now: number): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#rate);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
