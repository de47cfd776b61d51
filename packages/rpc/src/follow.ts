/**
 * Following a value that changes: watchers per key (bounded), and a server-stream body that yields
 * the current value and then the newest one after each change. Used by the health service and the
 * registry.
 */
import { RpcError } from './errors.js';
import { Status } from './status.js';

/** Listeners per key, at most `max` per key. */
export class Watchers<T> {
  readonly #sets = new Map<string, Set<(value: T) => void>>();
  readonly #max: number;
  readonly #what: string;

  /** `what` names the watchers in the RESOURCE_EXHAUSTED message. */
  constructor(max: number, what: string) {
    this.#max = max;
    this.#what = what;
  }

  /** Add a listener; returns its remover. @throws {RpcError} RESOURCE_EXHAUSTED past the limit. */
  add(key: string, listener: (value: T) => void): () => void {
    let set = this.#sets.get(key);
    if (set === undefined) {
      set = new Set();
      this.#sets.set(key, set);
    }
    if (set.size >= this.#max) {
      throw new RpcError(
        Status.RESOURCE_EXHAUSTED,
        `${key || 'the server'} has its limit of ${this.#max} ${this.#what}`,
      );
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#sets.delete(key);
    };
  }

  /** Whether anyone watches `key` (so that a value nobody will see is not computed). */
  has(key: string): boolean {
    return this.#sets.has(key);
  }

  notify(key: string, value: T): void {
    for (const listener of this.#sets.get(key) ?? []) listener(value);
  }

  /** Every key watched now. */
  keys(): IterableIterator<string> {
    return this.#sets.keys();
  }
}

/**
 * Yield the current value (`read()`, taken once subscribed, so no change falls in between), then
 * the newest value each time `subscribe`'s callback fires, until `signal` aborts — or, with `last`,
 * right after yielding a value it says is the last. A slow reader skips intermediate values instead
 * of buffering them.
 */
export async function* follow<T>(
  read: () => T,
  subscribe: (push: (value: T) => void) => () => void,
  signal: AbortSignal,
  last: (value: T) => boolean = () => false,
): AsyncGenerator<T> {
  let latest: { value: T } | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = subscribe((value) => {
    latest = { value };
    wake?.();
  });
  latest ??= { value: read() };
  const aborted = new Promise<void>((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  try {
    while (!signal.aborted) {
      if (latest !== undefined) {
        const { value } = latest;
        latest = undefined;
        yield value;
        if (last(value)) return;
        continue;
      }
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}
