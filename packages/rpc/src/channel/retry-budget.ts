/**
 * A retry budget, as Finagle's: every call deposits `ratio` of a retry (default 0.2: retries add at
 * most ~20% load), and `minPerSecond` retries (default 10) are always allowed so that a quiet
 * client can still retry. Deposits expire after `ttlMs` (default 10 s), so a burst of failures
 * cannot spend credit saved up long ago.
 */
export interface RetryBudgetOptions {
  ratio?: number;
  minPerSecond?: number;
  ttlMs?: number;
}

export class RetryBudget {
  readonly #ratio: number;
  readonly #minPerSecond: number;
  readonly #ttlMs: number;
  /** Deposits and withdrawals in 1-second buckets over the TTL: [second, deposited, withdrawn]. */
  readonly #buckets: [number, number, number][] = [];

  constructor(options: RetryBudgetOptions = {}) {
    this.#ratio = options.ratio ?? 0.2;
    this.#minPerSecond = options.minPerSecond ?? 10;
    this.#ttlMs = options.ttlMs ?? 10_000;
  }

  /** A call was made. */
  deposit(now = Date.now()): void {
    this.#bucket(now)[1] += this.#ratio;
  }

  /** Take one retry if the budget allows it. */
  tryWithdraw(now = Date.now()): boolean {
    const bucket = this.#bucket(now);
    let deposited = 0;
    let withdrawn = 0;
    for (const [, d, w] of this.#buckets) {
      deposited += d;
      withdrawn += w;
    }
    const floor = (this.#minPerSecond * this.#ttlMs) / 1000;
    // (The epsilon keeps 100 × 0.2 from summing to 19.999….)
    if (withdrawn + 1 > deposited + floor + 1e-9) return false;
    bucket[2]++;
    return true;
  }

  #bucket(now: number): [number, number, number] {
    const second = Math.floor(now / 1000);
    const oldest = second - Math.ceil(this.#ttlMs / 1000) + 1;
    while (this.#buckets.length > 0 && this.#buckets[0]![0] < oldest) this.#buckets.shift();
    let last = this.#buckets[this.#buckets.length - 1];
    if (last === undefined || last[0] !== second) {
      last = [second, 0, 0];
      this.#buckets.push(last);
    }
    return last;
  }
}
