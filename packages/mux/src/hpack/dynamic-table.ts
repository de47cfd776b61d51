import { STATIC_TABLE_LENGTH } from './static-table.js';

/** Per-entry overhead counted in a table's size: RFC 7541 §4.1 ("32 octets"). */
export const ENTRY_OVERHEAD = 32;

/** Size of an entry as RFC 7541 §4.1 counts it: name and value octets plus 32. */
export function entrySize(name: string, value: string): number {
  return name.length + value.length + ENTRY_OVERHEAD;
}

/**
 * The dynamic table (RFC 7541 §2.3.2, §4): a FIFO of entries, newest first in index order, bounded by
 * `maxSize` in §4.1 bytes. Every entry has a sequence number (its insertion count), so an encoder can
 * keep maps from strings to entries that stay valid while indices shift.
 */
export class DynamicTable {
  /** Entries as `[name, value]` pairs, oldest first; a decoder hands these very pairs out. */
  #entries: (readonly [string, string])[] = [];
  /** Array position of the oldest live entry; entries before it are evicted. */
  #start = 0;
  #size = 0;
  #maxSize: number;
  /** Entries inserted so far: the newest entry's sequence number is `#inserted - 1`. */
  #inserted = 0;
  /** Called with each evicted entry (oldest first), for the encoder's maps. */
  readonly #onEvict: ((name: string, value: string, seq: number) => void) | undefined;

  constructor(maxSize: number, onEvict?: (name: string, value: string, seq: number) => void) {
    this.#maxSize = maxSize;
    this.#onEvict = onEvict;
  }

  /** Current size in RFC 7541 §4.1 bytes. */
  get size(): number {
    return this.#size;
  }

  /** Current maximum size. */
  get maxSize(): number {
    return this.#maxSize;
  }

  /** Number of entries. */
  get length(): number {
    return this.#entries.length - this.#start;
  }

  /** Sequence number the next inserted entry will get. */
  get nextSeq(): number {
    return this.#inserted;
  }

  /** HPACK index (62 and up) of the live entry with sequence number `seq`. */
  indexOfSeq(seq: number): number {
    return STATIC_TABLE_LENGTH + this.#inserted - seq;
  }

  /** Entry at dynamic position `i` (1 = newest), or undefined beyond the table. */
  name(i: number): string | undefined {
    return this.entry(i)?.[0];
  }

  /** Value at dynamic position `i` (1 = newest). Call only after `name(i)` returned a string. */
  value(i: number): string {
    return this.#entries[this.#entries.length - i]![1];
  }

  /** The `[name, value]` pair at dynamic position `i` (1 = newest), or undefined beyond the table. */
  entry(i: number): readonly [string, string] | undefined {
    return i >= 1 && i <= this.length ? this.#entries[this.#entries.length - i] : undefined;
  }

  /**
   * Insert an entry, evicting the oldest as needed (§4.4). An entry larger than `maxSize` empties the
   * table and is not inserted ("not an error"). Returns the entry's sequence number, or -1 when it
   * was not inserted.
   */
  add(name: string, value: string): number {
    return this.addEntry([name, value]);
  }

  /** {@link add} for a `[name, value]` pair, kept as it is (a decoder hands it out again). */
  addEntry(entry: readonly [string, string]): number {
    const size = entrySize(entry[0], entry[1]);
    if (size > this.#maxSize) {
      this.#evictTo(0);
      return -1;
    }
    this.#evictTo(this.#maxSize - size);
    this.#entries.push(entry);
    this.#size += size;
    return this.#inserted++;
  }

  /** Change the maximum size, evicting entries until the table fits (§4.3). */
  setMaxSize(maxSize: number): void {
    this.#maxSize = maxSize;
    this.#evictTo(maxSize);
  }

  #evictTo(limit: number): void {
    while (this.#size > limit) {
      const i = this.#start++;
      const [name, value] = this.#entries[i]!;
      this.#size -= entrySize(name, value);
      // Sequence numbers follow array positions: the last position holds seq `#inserted - 1`.
      this.#onEvict?.(name, value, this.#inserted - this.#entries.length + i);
    }
    // Compact the arrays once the evicted prefix dominates.
    if (this.#start > 32 && this.#start * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#start);
      this.#start = 0;
    }
  }
}
