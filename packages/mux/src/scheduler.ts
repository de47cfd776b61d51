import type { Priority } from './priority.js';

/** What the scheduler needs of a stream; the links are the scheduler's own. */
export interface Schedulable {
  id: number;
  priority: Priority;
  /** Bytes queued to send: a stream with at most `LIGHT_BYTES` is served before larger ones. */
  pendingBytes: number;
  queued: boolean;
  /** @internal neighbours in the scheduler's list, and the list. */
  schedPrev: Schedulable | undefined;
  schedNext: Schedulable | undefined;
  schedLane: object | undefined;
}

/** A stream with at most this many bytes queued goes before larger transfers of its urgency. */
export const LIGHT_BYTES = 16_384;

/**
 * How much an unsignalled large transfer sends in one turn before the next large one of its urgency
 * gets its own: 1 MiB. Turns, not 16 KiB interleaving, because transfers served side by side all
 * finish at the end: four 1 MiB unary requests interleaved arrive together, and the server's four
 * answers then leave together while the request direction idles — an echo ran at half the link's
 * rate over a 20 ms, 100 Mbit/s link, and at its full rate in turns. Small streams do not wait for
 * a turn to end (they are served first), so a large transfer still holds up no small call.
 */
export const TURN_BYTES = 1 << 20;

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
 * Which stream sends next (RFC 9218 §10): the lowest urgency first. Within an urgency: streams that
 * explicitly asked to be non-incremental one at a time in stream-id order; then "light" streams (at
 * most 16 KiB queued when they were queued) round-robin, so that a small call never waits behind a
 * large transfer; then the large ones — explicitly incremental ones round-robin a chunk at a time,
 * unsignalled ones in turns of up to 1 MiB (`TURN_BYTES`). RFC 9218 would serve unsignalled
 * streams sequentially; turns keep one endless stream from holding the others forever.
 *
 * All operations are O(1) but pushing a non-incremental stream, which is placed among the others by
 * id (looked for from the end: streams are mostly queued in the order they opened).
 */
export class Scheduler<S extends Schedulable> {
  readonly #sequential: Lane<S>[] = Array.from({ length: 8 }, () => new Lane<S>());
  readonly #light: Lane<S>[] = Array.from({ length: 8 }, () => new Lane<S>());
  readonly #heavy: Lane<S>[] = Array.from({ length: 8 }, () => new Lane<S>());
  #size = 0;
  /** The unsignalled large stream whose turn it is, and what it sent in the turn. */
  #turn: S | undefined;
  #turnBytes = 0;

  get size(): number {
    return this.#size;
  }

  /** Queue a stream that has work (no-op if already queued). */
  push(s: S): void {
    if (s.queued) return;
    // Back after waiting (for flow-control credit, say): its next turn is a new one.
    if (this.#turn === s) this.#turn = undefined;
    this.#insert(s, false);
  }

  /**
   * Queue again a stream just taken with `shift()` and served `sent` bytes, which has work left: an
   * unsignalled large stream keeps its turn (ahead of the other large ones) until it sent
   * `TURN_BYTES` in it.
   */
  served(s: S, sent: number): void {
    if (s.queued) return;
    let keepTurn = false;
    if (!s.priority.explicit && s.pendingBytes > LIGHT_BYTES) {
      if (this.#turn !== s) {
        this.#turn = s;
        this.#turnBytes = 0;
      }
      this.#turnBytes += sent;
      keepTurn = this.#turnBytes < TURN_BYTES;
    }
    if (!keepTurn && this.#turn === s) this.#turn = undefined;
    this.#insert(s, keepTurn);
  }

  #insert(s: S, front: boolean): void {
    s.queued = true;
    this.#size++;
    const u = s.priority.urgency;
    if (s.priority.explicit && !s.priority.incremental) {
      const lane = this.#sequential[u]!;
      let next: S | undefined;
      for (let q = lane.tail; q !== undefined && q.id > s.id; q = q.schedPrev as S | undefined) next = q;
      lane.insertBefore(s, next);
      s.schedLane = lane;
      return;
    }
    const lane = s.pendingBytes <= LIGHT_BYTES ? this.#light[u]! : this.#heavy[u]!;
    lane.insertBefore(s, front ? lane.head : undefined);
    s.schedLane = lane;
  }

  /** Take `s` out of the queue (no-op if not queued). */
  remove(s: S): void {
    if (!s.queued) return;
    this.#unlink(s);
    if (this.#turn === s) this.#turn = undefined;
  }

  #unlink(s: S): void {
    (s.schedLane as Lane<S>).remove(s);
    s.schedLane = undefined;
    s.queued = false;
    this.#size--;
  }

  /** The next stream to serve, removed from the queue (give it back with `served` if it has work). */
  shift(): S | undefined {
    for (let u = 0; u < 8; u++) {
      const s = this.#sequential[u]!.head ?? this.#light[u]!.head ?? this.#heavy[u]!.head;
      if (s !== undefined) {
        this.#unlink(s);
        return s;
      }
    }
    return undefined;
  }

  #lanes(): Lane<S>[] {
    return [...this.#sequential, ...this.#light, ...this.#heavy];
  }

  /** Whether every queued stream satisfies `test`. */
  every(test: (s: S) => boolean): boolean {
    for (const lane of this.#lanes()) {
      for (let q = lane.head; q !== undefined; q = q.schedNext as S | undefined) if (!test(q)) return false;
    }
    return true;
  }

  /** Drop everything. */
  clear(): void {
    for (const lane of this.#lanes()) {
      for (let q = lane.head; q !== undefined; ) {
        const next = q.schedNext as S | undefined;
        q.queued = false;
        q.schedPrev = undefined;
        q.schedNext = undefined;
        q.schedLane = undefined;
        q = next;
      }
      lane.head = undefined;
      lane.tail = undefined;
    }
    this.#size = 0;
    this.#turn = undefined;
  }
}
