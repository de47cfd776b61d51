import { allocUninitialized, view } from './alloc.js';

/** Chunks smaller than this are copied into a buffer of the queue's own rather than kept. */
const SMALL_CHUNK = 1024;
/** Size of the buffers small chunks are gathered in. */
const GATHER_BYTES = 16 * 1024;
/** The queues' own gathering buffers: frames are copied out of them, never viewed. */
const gathering = new WeakSet<ArrayBufferLike>();

/**
 * A FIFO of byte chunks. A chunk of 1 KiB or more, or one arriving into an empty queue, is kept by
 * reference, never copied on the way in; smaller ones arriving behind held bytes are copied into
 * 16 KiB buffers of the queue's own, so that memory follows the bytes held and not the number of
 * chunks they came in (a Node chunk costs ~100–150 B of objects however
 * small it is: 1-byte TCP segments would otherwise cost 100× their payload). Bytes leave either as
 * a view of one kept chunk (when the requested run lies inside it) or as one fresh buffer filled
 * with a single copy of each byte (when it spans chunks, or lies in a gathering buffer, which a
 * view would pin). Decoders keep the bytes of an incomplete frame here.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  /** Read offset inside `#chunks[#head]`. */
  #offset = 0;
  #length = 0;
  /** The gathering buffer the last entry of `#chunks` views, while it has room. */
  #gather: Uint8Array | undefined;
  #gathered = 0;

  /** Bytes currently held. */
  get length(): number {
    return this.#length;
  }

  /** @internal slots of the chunk list, consumed ones included (for tests of its compaction). */
  get _slots(): number {
    return this.#chunks.length;
  }

  /** Append a chunk (a large one by reference, a small one copied). Empty chunks are ignored. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    // Into an empty queue (the usual case: a chunk holding whole frames, read at once) a chunk goes
    // by reference whatever its size; only small chunks that pile up behind held bytes are gathered.
    const empty = this.#length === 0;
    this.#length += n;
    if (n >= SMALL_CHUNK || empty) {
      this.#chunks.push(chunk);
      this.#gather = undefined;
      return;
    }
    let g = this.#gather;
    if (g === undefined || g.length - this.#gathered < n) {
      g = allocUninitialized(GATHER_BYTES);
      gathering.add(g.buffer);
      this.#gather = g;
      this.#gathered = 0;
      this.#chunks.push(g);
    }
    g.set(chunk, this.#gathered);
    this.#gathered += n;
    // The entry views the filled part; the buffer's start never moves, so a read offset stays valid.
    this.#chunks[this.#chunks.length - 1] = view(g, 0, this.#gathered);
  }

  /** Copy the first `n` held bytes into `target` at `at`, without consuming them. */
  peekInto(target: Uint8Array, n: number, at = 0): void {
    let i = this.#head;
    let off = this.#offset;
    let left = n;
    while (left > 0) {
      const c = this.#chunks[i]!;
      const k = Math.min(left, c.length - off);
      target.set(c.subarray(off, off + k), at);
      at += k;
      left -= k;
      i++;
      off = 0;
    }
  }

  /** Drop the first `n` bytes (`n <= length`). */
  skip(n: number): void {
    this.#length -= n;
    while (n > 0) {
      const c = this.#chunks[this.#head]!;
      const avail = c.length - this.#offset;
      if (n < avail) {
        this.#offset += n;
        return;
      }
      n -= avail;
      this.#dropHead();
    }
  }

  /**
   * Remove and return the first `n` bytes (`n <= length`): a view when they lie inside the first
   * chunk, otherwise one new buffer holding a single copy of them.
   */
  take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.#chunks[this.#head]!;
    const avail = first.length - this.#offset;
    if (n <= avail) {
      const out = gathering.has(first.buffer)
        ? first.slice(this.#offset, this.#offset + n)
        : view(first, this.#offset, this.#offset + n);
      this.#length -= n;
      if (n === avail) this.#dropHead();
      else this.#offset += n;
      return out;
    }
    const out = allocUninitialized(n);
    this.peekInto(out, n);
    this.skip(n);
    return out;
  }

  /** Drop everything. */
  clear(): void {
    this.#gather = undefined;
    this.#chunks = [];
    this.#head = 0;
    this.#offset = 0;
    this.#length = 0;
  }

  #dropHead(): void {
    this.#chunks[this.#head] = undefined as unknown as Uint8Array;
    this.#head++;
    this.#offset = 0;
    if (this.#head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
      this.#gather = undefined; // its entry was the last, now consumed
    } else if (this.#head >= 32 && this.#head * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
