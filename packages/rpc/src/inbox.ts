import { RpcUsageError } from './errors.js';

/**
 * A queue of received messages read as an async iterator, with backpressure: past `highWater`
 * queued messages it asks the transport to pause (which stops crediting the sender), and resumes
 * once the reader has taken half of them. Memory per call is bounded by `highWater` plus what the
 * transport's window lets through. @internal
 */
export interface InboxHooks {
  pause(): void;
  resume(): void;
  /** The reader stopped early (`break`, `return()`): the call should be cancelled. */
  abandon(): void;
  /** A message went to the reader. */
  taken?(): void;
}

/** Default number of queued messages before the transport is paused. */
export const INBOX_HIGH_WATER = 16;

export class Inbox<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #head = 0;
  #ended = false;
  #error: unknown;
  #failed = false;
  #paused = false;
  #finished = false;
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  readonly #hooks: InboxHooks;
  readonly #highWater: number;

  constructor(hooks: InboxHooks, highWater = INBOX_HIGH_WATER) {
    this.#hooks = hooks;
    this.#highWater = highWater;
  }

  /** Messages waiting to be read. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    if (this.#finished) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      this.#hooks.taken?.();
      waiter.resolve({ value: item, done: false });
      return;
    }
    this.#items.push(item);
    if (!this.#paused && this.size >= this.#highWater) {
      this.#paused = true;
      this.#hooks.pause();
    }
  }

  /** No more messages: the reader sees the end after the queued ones. */
  end(): void {
    if (this.#ended || this.#failed) return;
    this.#ended = true;
    this.#settleWaiter();
  }

  /** The call failed: the reader gets `error` after the queued messages. */
  fail(error: unknown): void {
    if (this.#ended || this.#failed) return;
    this.#failed = true;
    this.#error = error;
    this.#settleWaiter();
  }

  #settleWaiter(): void {
    const waiter = this.#waiter;
    if (waiter === undefined || this.size > 0) return;
    this.#waiter = undefined;
    this.#finished = true;
    if (this.#failed) waiter.reject(this.#error);
    else waiter.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const item = this.#items[this.#head]!;
      this.#items[this.#head++] = undefined as T;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      this.#hooks.taken?.();
      if (this.#paused && this.size <= this.#highWater >> 1) {
        this.#paused = false;
        this.#hooks.resume();
      }
      return Promise.resolve({ value: item, done: false });
    }
    if (this.#failed) {
      this.#finished = true;
      return Promise.reject(this.#error);
    }
    if (this.#ended || this.#finished) {
      this.#finished = true;
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiter !== undefined) {
      return Promise.reject(
        new RpcUsageError('RPC_ERR_INVALID_STATE', 'next() called while a read is pending'),
      );
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.#finished) {
      const wasOpen = !this.#ended && !this.#failed;
      this.#finished = true;
      this.#items = [];
      this.#head = 0;
      if (wasOpen) this.#hooks.abandon();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
