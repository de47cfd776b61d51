import type { Priority } from './priority.js';

/** What the scheduler needs of a stream. */
export interface Schedulable {
  id: number;
  priority: Priority;
  queued: boolean;
}

/**
 * Which stream sends next (RFC 9218 §10): the lowest urgency first. Within an urgency, streams that
 * explicitly asked to be non-incremental are served one at a time in stream-id order; all others —
 * incremental ones, and streams that never signalled — share the link round-robin, one chunk per turn,
 * so that one large transfer never starves small ones (the multiplexer's promise; RFC 9218 would
 * serve unsignalled streams sequentially too).
 */
export class Scheduler<S extends Schedulable> {
  readonly #rr: S[][] = Array.from({ length: 8 }, () => []);
  readonly #sequential: S[][] = Array.from({ length: 8 }, () => []);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Queue a stream that has work (no-op if already queued). */
  push(s: S): void {
    if (s.queued) return;
    s.queued = true;
    this.#size++;
    const u = s.priority.urgency;
    if (s.priority.explicit && !s.priority.incremental) {
      const list = this.#sequential[u]!;
      let i = list.length;
      while (i > 0 && list[i - 1]!.id > s.id) i--;
      list.splice(i, 0, s);
    } else this.#rr[u]!.push(s);
  }

  /** The next stream to serve, removed from the queue (push it back if it still has work). */
  shift(): S | undefined {
    for (let u = 0; u < 8; u++) {
      const seq = this.#sequential[u]!;
      const rr = this.#rr[u]!;
      const s = seq.length > 0 ? seq.shift() : rr.shift();
      if (s !== undefined) {
        s.queued = false;
        this.#size--;
        return s;
      }
    }
    return undefined;
  }

  /** Whether every queued stream satisfies `test`. */
  every(test: (s: S) => boolean): boolean {
    for (let u = 0; u < 8; u++) {
      if (!this.#sequential[u]!.every(test) || !this.#rr[u]!.every(test)) return false;
    }
    return true;
  }

  /** Drop everything. */
  clear(): void {
    for (let u = 0; u < 8; u++) {
      for (const s of this.#sequential[u]!) s.queued = false;
      for (const s of this.#rr[u]!) s.queued = false;
      this.#sequential[u] = [];
      this.#rr[u] = [];
    }
    this.#size = 0;
  }
}
