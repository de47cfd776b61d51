/**
 * Timers for any delay. Node's timers take at most 2^31 − 1 ms (~24.8 days) and fire a longer one
 * after 1 ms (with a TimeoutOverflowWarning); a deadline a month away must not expire at once. A
 * delay within the limit is a plain Node timer, so the common case costs nothing more.
 * Internal to the package (the entry points export only what their users need of it).
 */

/** The longest delay a Node timer takes. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay past {@link MAX_TIMER_MS}: re-armed in steps until its time. */
class LongTimer {
  #handle: NodeJS.Timeout;
  readonly #at: number;
  readonly #fn: () => void;

  constructor(fn: () => void, ms: number) {
    this.#fn = fn;
    this.#at = Date.now() + ms;
    this.#handle = this.#arm();
  }

  #arm(): NodeJS.Timeout {
    const remaining = this.#at - Date.now();
    if (remaining > MAX_TIMER_MS) return setTimeout(() => (this.#handle = this.#arm()), MAX_TIMER_MS);
    return setTimeout(this.#fn, Math.max(0, remaining));
  }

  clear(): void {
    clearTimeout(this.#handle);
  }
}

/** A timer from {@link startTimer}. */
export type Timer = NodeJS.Timeout | LongTimer;

/** Run `fn` once after `ms` milliseconds, however many. */
export function startTimer(fn: () => void, ms: number): Timer {
  return ms > MAX_TIMER_MS ? new LongTimer(fn, ms) : setTimeout(fn, ms);
}

/** Cancel a timer from {@link startTimer}. */
export function stopTimer(timer: Timer | undefined): void {
  if (timer instanceof LongTimer) timer.clear();
  else if (timer !== undefined) clearTimeout(timer);
}

/**
 * Let the process exit while `timer` is pending (Node's `unref`); a no-op where timers are numbers
 * (a browser). Returns the timer.
 */
export function unrefTimer<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
