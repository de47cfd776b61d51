import { concatBytes } from '@weft/framing';

/** Fragments kept as they arrived before switching to one growing buffer. */
const KEEP = 8;

/**
 * The bytes of one message arriving in fragments. The first few fragments are kept as they are (a
 * one-frame message is never copied); later ones are appended to one buffer that doubles as needed
 * (capped at `limit`), so a message in 65,536 tiny fragments costs its bytes, not an object each.
 */
export class MessageBuffer {
  #parts: Uint8Array[] = [];
  #buf: Uint8Array | undefined;
  #length = 0;
  /** Fragments pushed, empty ones included. */
  fragments = 0;

  readonly #limit: number;

  /** `limit`: the largest message (`maxPayload`); the buffer never grows past it. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Bytes so far. */
  get length(): number {
    return this.#length;
  }

  push(p: Uint8Array): void {
    this.fragments++;
    if (p.length === 0) return;
    const need = this.#length + p.length;
    if (this.#buf === undefined) {
      if (this.#parts.length < KEEP) {
        this.#parts.push(p);
        this.#length = need;
        return;
      }
      this.#buf = new Uint8Array(this.#capacity(need));
      let at = 0;
      for (const q of this.#parts) {
        this.#buf.set(q, at);
        at += q.length;
      }
      this.#parts = [];
    } else if (need > this.#buf.length) {
      const grown = new Uint8Array(this.#capacity(need));
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    this.#buf.set(p, this.#length);
    this.#length = need;
  }

  /** The whole message (a view of the buffer, or the single fragment itself). */
  take(): Uint8Array {
    if (this.#buf !== undefined) return this.#buf.subarray(0, this.#length);
    return this.#parts.length === 1 ? this.#parts[0]! : concatBytes(this.#parts, this.#length);
  }

  /** Double (at least 64 KiB), capped at the limit, never below what is needed. */
  #capacity(need: number): number {
    return Math.min(Math.max(2 * need, 64 * 1024), Math.max(need, this.#limit));
  }
}
