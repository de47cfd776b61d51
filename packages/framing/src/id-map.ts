import { FramingUsageError } from './errors.js';

/** Marks a free slot; ids are never negative. */
const EMPTY = -1;
const MIN_CAPACITY = 8;
/**
 * Tables up to this many slots (4 KiB of keys and values) never shrink: a connection's streams come
 * and go in bursts (a batch of requests opens a hundred streams and closes them all), and shrinking
 * through every size on the way down, to grow through them again on the next burst, cost more than
 * the slots it saved.
 */
const KEEP_CAPACITY = 256;
/** Largest id: 32-bit (HTTP/2 stream ids are 31-bit, weft call ids 32-bit). */
const MAX_ID = 0xffff_ffff;

/**
 * A map from integer ids (0 ≤ id ≤ 2^32 - 1) to values, for the tables a long-lived connection keeps
 * of its streams or calls: an entry added and removed for every one of them, all the time.
 *
 * Why not `Map`: when V8 rehashes a `Map` it leaves the old table pointing to the new one. Once a
 * table is in the old generation — a full GC puts the one in use there — every table after it is
 * kept alive by the dead one before it until the next full GC, and with them every entry they held:
 * each scavenge then promotes most of what the connection's streams allocated. Measured on Node 20
 * (`--trace-gc-nvp`): after one full GC, 13–17% of everything allocated survived each scavenge
 * instead of 1–2%, and a 100-stream HTTP/2 echo client lost 30% of its throughput, for as long as
 * the process ran. This table is open addressing over two plain arrays (linear probing, deletion by
 * backward shift, no tombstones): a resize leaves no link from the old arrays to the new ones.
 *
 * Iteration (`values()`, `keys()`) returns a snapshot array, in no particular order.
 */
export class IdMap<V> {
  #keys!: Float64Array;
  #values!: (V | undefined)[];
  #mask = 0;
  #shift = 0;
  #size = 0;

  constructor() {
    this.#allocate(MIN_CAPACITY);
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** The value of `id`, or undefined. */
  get(id: number): V | undefined {
    const keys = this.#keys;
    const mask = this.#mask;
    for (let i = this.#slot(id); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === EMPTY) return undefined;
      if (k === id) return this.#values[i];
    }
  }

  /** Whether `id` has an entry. */
  has(id: number): boolean {
    const keys = this.#keys;
    const mask = this.#mask;
    for (let i = this.#slot(id); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === EMPTY) return false;
      if (k === id) return true;
    }
  }

  /**
   * Set the value of `id`.
   * @throws {FramingUsageError} `FRAMING_ERR_INVALID_ID` unless `id` is an integer in 0..2^32 - 1
   */
  set(id: number, value: V): this {
    if (!Number.isInteger(id) || id < 0 || id > MAX_ID) {
      throw new FramingUsageError('FRAMING_ERR_INVALID_ID', `an id is an integer in 0..2^32 - 1, got ${id}`);
    }
    const keys = this.#keys;
    const mask = this.#mask;
    let i = this.#slot(id);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === id) {
        this.#values[i] = value;
        return this;
      }
      if (k === EMPTY) break;
    }
    keys[i] = id;
    this.#values[i] = value;
    this.#size++;
    if (this.#size * 2 > keys.length) this.#resize(keys.length * 2);
    return this;
  }

  /** Remove `id`; whether it had an entry. */
  delete(id: number): boolean {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let hole = this.#slot(id);
    for (; ; hole = (hole + 1) & mask) {
      const k = keys[hole]!;
      if (k === EMPTY) return false;
      if (k === id) break;
    }
    // Backward shift: move later entries of the probe run into the hole when their home slot allows,
    // so that every lookup still meets its key before an empty slot.
    for (let j = (hole + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.#slot(keys[j]!);
      // `j`'s entry may move to `hole` unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      keys[hole] = keys[j]!;
      values[hole] = values[j];
      hole = j;
    }
    keys[hole] = EMPTY;
    values[hole] = undefined;
    this.#size--;
    if (this.#size * 8 < keys.length && keys.length > KEEP_CAPACITY) this.#resize(keys.length / 2);
    return true;
  }

  /** Remove every entry. */
  clear(): void {
    this.#allocate(MIN_CAPACITY);
    this.#size = 0;
  }

  /** Every value, as a new array (entries may be added or removed while it is walked). */
  values(): V[] {
    const out: V[] = [];
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) out.push(this.#values[i] as V);
    return out;
  }

  /** Every id, as a new array. */
  keys(): number[] {
    const out: number[] = [];
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) out.push(keys[i]!);
    return out;
  }

  /** Fibonacci hashing: the top bits of id × 2^32/φ. */
  #slot(id: number): number {
    return Math.imul(id | 0, 0x9e3779b1) >>> this.#shift;
  }

  #allocate(capacity: number): void {
    this.#keys = new Float64Array(capacity).fill(EMPTY);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    this.#mask = capacity - 1;
    this.#shift = 32 - Math.log2(capacity);
  }

  #resize(capacity: number): void {
    const keys = this.#keys;
    const values = this.#values;
    this.#allocate(capacity);
    const mask = this.#mask;
    for (let j = 0; j < keys.length; j++) {
      const id = keys[j]!;
      if (id === EMPTY) continue;
      let i = this.#slot(id);
      while (this.#keys[i] !== EMPTY) i = (i + 1) & mask;
      this.#keys[i] = id;
      this.#values[i] = values[j];
    }
  }
}
