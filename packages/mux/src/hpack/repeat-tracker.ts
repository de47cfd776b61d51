/**
 * Per header name, how often values repeat: the encoder's evidence for whether a table slot pays off.
 * A value that never recurs costs the same bytes indexed or not, but indexing it evicts entries that
 * would have been reused; a value that recurs saves a whole literal each time.
 */

/** Values remembered per name to detect a repeat. */
const RECENT = 8;
/**
 * Names tracked at once. Header names come from our own application, but a generated name per request
 * (x-trace-<id>) must not grow this without bound: past the limit, statistics start over.
 */
const MAX_NAMES = 512;

interface NameStats {
  /** Fields of this name seen (with smoothing prior). */
  seen: number;
  /** Of them, how many repeated a recent value. */
  repeats: number;
  recent: string[];
  next: number;
}

/**
 * Names whose values rarely repeat in practice (nghttp2's `deflate_should_indexing` list): they start
 * with evidence against indexing, which observed repeats can overturn.
 */
const RARELY_REPEATED = new Set([
  ':path',
  'age',
  'content-length',
  'etag',
  'if-modified-since',
  'if-none-match',
  'location',
  'set-cookie',
]);

/** Repeat-rate estimate per header name, from the last values seen. */
export class RepeatTracker {
  readonly #stats = new Map<string, NameStats>();
  readonly #threshold: number;

  /** @param threshold repeat rate from which indexing a name's values pays off */
  constructor(threshold: number) {
    this.#threshold = threshold;
  }

  /** Record a field; return whether its value was among the name's recent values. */
  observe(name: string, value: string): boolean {
    let s = this.#stats.get(name);
    if (s === undefined) {
      if (this.#stats.size >= MAX_NAMES) this.#stats.clear();
      s = RARELY_REPEATED.has(name)
        ? { seen: 4, repeats: 0, recent: [], next: 0 }
        : { seen: 1, repeats: 1, recent: [], next: 0 };
      this.#stats.set(name, s);
    }
    const repeat = s.recent.includes(value);
    s.seen++;
    if (repeat) s.repeats++;
    else {
      s.recent[s.next] = value;
      s.next = (s.next + 1) % RECENT;
    }
    return repeat;
  }

  /** Whether values of `name` repeat often enough to be worth a table slot. */
  worthIndexing(name: string): boolean {
    const s = this.#stats.get(name);
    return s === undefined || s.repeats >= this.#threshold * s.seen;
  }
}
