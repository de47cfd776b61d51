/**
 * The tick batching every Weft socket writer shares (the HTTP/2 session, the WebSocket, the
 * pooled transport's link): what is queued during one tick is written once, at its end — one
 * corked write instead of one per message — and, when a tick queues many operations, its first part
 * is written early, so that the peer starts on it while this side goes on (each side idling while
 * the other works through a whole batch halves throughput). The rest waits for the end of the tick:
 * once the peer has work, more early writes cost syscalls and buy no overlap
 * (docs/perf/2026-12-04-early-writes.md). How many operations make "many" is the writer's policy:
 * the open streams of a session, the recent ticks' sends of a WebSocket.
 */
export interface EarlyWrites {
  /** Operations queued in one tick after which what is queued so far is written. */
  after(): number;
  /** Write what is queued so far (the end-of-tick flush still runs). */
  write(): void;
}

export class TickFlusher {
  readonly #flush: () => void;
  readonly #early: EarlyWrites | undefined;
  #scheduled = false;
  #ops = 0;
  /** This tick wrote its early part already. */
  #wroteEarly = false;
  readonly #run = () => {
    this.#scheduled = false;
    this.#flush();
  };

  /** `flush` runs at the end of each tick in which something was queued. */
  constructor(flush: () => void, early?: EarlyWrites) {
    this.#flush = flush;
    this.#early = early;
  }

  /** A flush is due at the end of this tick. */
  get scheduled(): boolean {
    return this.#scheduled;
  }

  /** One operation was queued: flush at the end of the tick, or write early past the policy's count (once a tick). */
  queued(): void {
    if (this.#scheduled) {
      if (this.#early !== undefined && !this.#wroteEarly && ++this.#ops >= this.#early.after()) {
        this.#wroteEarly = true;
        this.#early.write();
      }
      return;
    }
    this.#ops = 0;
    this.#wroteEarly = false;
    this.#scheduled = true;
    process.nextTick(this.#run);
  }
}
