/**
 * One call's message windows in the envelope protocol (docs/rpc-pooled.md, "Flow control"): how many
 * messages we may still send, and how many the peer may still send before we grant more.
 * Internal to the package (the entry points export only what their users need of it).
 */
import { EnvelopeError, INITIAL_WINDOW } from '../envelope.js';

/** Grant credit back once the application has taken this many messages. */
const GRANT_AT = INITIAL_WINDOW >> 1;

export class CallWindow {
  /** Messages we may still send. */
  #credit = INITIAL_WINDOW;
  #waiters: (() => void)[] = [];
  /** Messages the peer may still send. */
  #allowed = INITIAL_WINDOW;
  /** Messages delivered but not yet granted back. */
  #owed = 0;
  #paused = false;
  readonly #sendGrant: (credit: number) => void;

  /** @param sendGrant sends a Window envelope with `credit`. */
  constructor(sendGrant: (credit: number) => void) {
    this.#sendGrant = sendGrant;
  }

  /**
   * Take a credit to send one message. Returns undefined when taken; otherwise a promise to wait on
   * before trying again.
   */
  take(): Promise<void> | undefined {
    if (this.#credit > 0) {
      this.#credit--;
      return undefined;
    }
    return this.#nextCredit();
  }

  /** After a send: undefined while credit remains, else a promise resolved when it returns (backpressure). */
  backpressure(): Promise<void> | undefined {
    return this.#credit > 0 ? undefined : this.#nextCredit();
  }

  #nextCredit(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The peer granted `credit` more. @throws {EnvelopeError} on overflow. */
  credit(credit: number): void {
    if (this.#credit + credit > 0xffff_ffff) throw new EnvelopeError('window overflow');
    this.#credit += credit;
    this.release();
  }

  /** Wake every waiting sender (credit came, or the call ended: they re-check and stop). */
  release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** A message arrived. @throws {EnvelopeError} when the peer sent past its window. */
  received(): void {
    if (this.#allowed === 0) throw new EnvelopeError('the peer sent past the call window');
    this.#allowed--;
    this.#owed++;
  }

  /** Grant credit back if enough was consumed and the reader is not paused. */
  grant(): void {
    if (this.#paused || this.#owed < GRANT_AT) return;
    const credit = this.#owed;
    this.#owed = 0;
    this.#allowed += credit;
    this.#sendGrant(credit);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.grant();
  }
}
