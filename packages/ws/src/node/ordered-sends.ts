/**
 * The order of a WebSocket's sends (the ws package keeps it in lib/sender.js): messages, pings
 * and the close go out in the order they were sent, even when one of them must first be
 * compressed — zlib answers asynchronously, and a message must not overtake an earlier one still
 * in the compressor. A send runs at once unless a compression is in progress; then it waits in a
 * queue that runs when the compression ends.
 */
export class OrderedSends {
  #queue: Array<() => void> | undefined;
  #busy = false;
  /** Bytes of messages waiting to be compressed or queued behind a compression. */
  pendingBytes = 0;

  /** Run `op` now, or after the compressions queued before it. */
  run(op: () => void): void {
    if (!this.#busy && this.#queue === undefined) op();
    else if (this.#queue === undefined) this.#queue = [op];
    else this.#queue.push(op);
  }

  /**
   * Run `compress` (holding every later send until it settles) when its turn comes, then `sent` or
   * `failed` with its outcome, and the sends queued behind it. `bytes` count as pending meanwhile.
   */
  compressed<T>(
    bytes: number,
    compress: () => Promise<T>,
    sent: (out: T) => void,
    failed: (err: unknown) => void,
  ): void {
    this.pendingBytes += bytes;
    this.run(() => {
      this.#busy = true;
      compress().then(
        (out) => this.#settle(bytes, () => sent(out)),
        (err: unknown) => this.#settle(bytes, () => failed(err)),
      );
    });
  }

  #settle(bytes: number, then: () => void): void {
    this.pendingBytes -= bytes;
    this.#busy = false;
    then();
    while (!this.#busy && this.#queue !== undefined) {
      const op = this.#queue.shift()!;
      if (this.#queue.length === 0) this.#queue = undefined;
      op();
    }
  }
}
