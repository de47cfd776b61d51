import { allocUninitialized, view } from './alloc.js';

/**
 * A FIFO of byte chunks that never copies on the way in. Bytes leave either as a view of one
 * chunk (when the requested run lies inside it) or as one fresh buffer filled with a single copy of
 * each byte (when it spans chunks). Decoders keep the bytes of an incomplete frame here.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  /** Read offset inside `#chunks[#head]`. */
  #offset = 0;
  #length = 0;

  /** Bytes currently held. */
  get length(): number {
    return this.#length;
  }

  /** Append a chunk (kept by reference, not copied). Empty chunks are ignored. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
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
      const out = view(first, this.#offset, this.#offset + n);
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
    } else if (this.#head >= 32 && this.#head * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
