import type { Priority } from './priority.js';

/** What the scheduler needs of a stream; the links are the scheduler's own. */
export interface Schedulable {
  id: number;
  priority: Priority;
  queued: boolean;
  /** @internal neighbours in the scheduler's list. */
  schedPrev: Schedulable | undefined;
  schedNext: Schedulable | undefined;
}

/** A doubly linked list through the streams themselves: push, shift and remove in O(1). */
class Lane<S extends Schedulable> {
  head: S | undefined;
  tail: S | undefined;

  append(s: S): void {
    this.insertBefore(s, undefined);
  }

  /** Insert `s` before `next` (at the end when undefined). */
  insertBefore(s: S, next: S | undefined): void {
    const prev = (next === undefined ? this.tail : next.schedPrev) as S | undefined;
    s.schedPrev = prev;
    s.schedNext = next;
    if (prev === undefined) this.head = s;
    else prev.schedNext = s;
    if (next === undefined) this.tail = s;
    else next.schedPrev = s;
  }

  remove(s: S): void {
    const prev = s.schedPrev as S | undefined;
    const next = s.schedNext as S | undefined;
    if (prev === undefined) this.head = next;
    else prev.schedNext = next;
    if (next === undefined) this.tail = prev;
    else next.schedPrev = prev;
    s.schedPrev = undefined;
    s.schedNext = undefined;
  }
}

/**
 * Which stream sends next (RFC 9218 §10): the lowest urgency first. Within an urgency, streams that
 * explicitly asked to be non-incremental are served one at a time in stream-id order; all others —
 * incremental ones, and streams that never signalled — share the link round-robin, one chunk per turn,
 * so that one large transfer never starves small ones (the multiplexer's promise; RFC 9218 would
 * serve unsignalled streams sequentially too). A priority change is a remove and a push: O(1), but
 * for a non-incremental stream placed among others by id.
 */
export class Scheduler<S extends Schedulable> {
  readonly #rr: Lane<S>[] = Array.from({ length: 8 }, () => new Lane<S>());
  readonly #sequential: Lane<S>[] = Array.from({ length: 8 }, () => new Lane<S>());
  #size = 0;

  get size(): number {
    return this.#size;
  }

  #laneOf(s: S): Lane<S> {
    const u = s.priority.urgency;
    return s.priority.explicit && !s.priority.incremental ? this.#sequential[u]! : this.#rr[u]!;
  }

  /** Queue a stream that has work (no-op if already queued). */
  push(s: S): void {
    if (s.queued) return;
    s.queued = true;
    this.#size++;
    const lane = this.#laneOf(s);
    if (lane === this.#rr[s.priority.urgency]) {
      lane.append(s);
      return;
    }
    // In id order, looked for from the end: streams are mostly queued in the order they opened.
    let next: S | undefined;
    for (let q = lane.tail; q !== undefined && q.id > s.id; q = q.schedPrev as S | undefined) next = q;
    lane.insertBefore(s, next);
  }

  /** Take `s` out of the queue (no-op if not queued). */
  remove(s: S): void {
    if (!s.queued) return;
    this.#laneOf(s).remove(s);
    s.queued = false;
    this.#size--;
  }

  /** The next stream to serve, removed from the queue (push it back if it still has work). */
  shift(): S | undefined {
    for (let u = 0; u < 8; u++) {
      const s = this.#sequential[u]!.head ?? this.#rr[u]!.head;
      if (s !== undefined) {
        this.remove(s);
        return s;
      }
    }
    return undefined;
  }

  /** Whether every queued stream satisfies `test`. */
  every(test: (s: S) => boolean): boolean {
    for (const lane of [...this.#sequential, ...this.#rr]) {
      for (let q = lane.head; q !== undefined; q = q.schedNext as S | undefined) if (!test(q)) return false;
    }
    return true;
  }

  /** Drop everything. */
  clear(): void {
    for (const lane of [...this.#sequential, ...this.#rr]) {
      for (let q = lane.head; q !== undefined; ) {
        const next = q.schedNext as S | undefined;
        q.queued = false;
        q.schedPrev = undefined;
        q.schedNext = undefined;
        q = next;
      }
      lane.head = undefined;
      lane.tail = undefined;
    }
    this.#size = 0;
  }
}
