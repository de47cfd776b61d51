/**
 * The connection's receive window (RFC 9113 §6.9): how much the peer may still send, the bytes the
 * application consumed that were not yet given back, and the target size the window is kept at.
 * Credit goes back in WINDOW_UPDATEs of at least a quarter of the target, not per read: fewer
 * frames, and the sender never waits for a window it could have had (see `#credit` in
 * connection.ts for the same rule per stream).
 */
import { MuxProtocolError } from './errors.js';
import { DEFAULT_WINDOW, ErrorCode } from './frame/types.js';

export class ReceiveWindow {
  /** What the peer may still send. */
  #window = DEFAULT_WINDOW;
  /** Consumed, not yet returned. */
  #unacked = 0;
  #target: number;

  constructor(target: number) {
    this.#target = target;
  }

  /** The size it is kept at. */
  get target(): number {
    return this.#target;
  }

  /**
   * Bytes received and not yet consumed by the application (the reader's lag), leaving out
   * `arriving` bytes counted already but not delivered yet.
   */
  unread(arriving: number): number {
    return this.#target - this.#window - this.#unacked - arriving;
  }

  /** The increment that opens the protocol's initial 65,535 to the target (0: none needed). */
  opening(): number {
    if (this.#target <= DEFAULT_WINDOW) return 0;
    this.#window = this.#target;
    return this.#target - DEFAULT_WINDOW;
  }

  /**
   * `n` flow-controlled bytes arrived.
   * @throws {MuxProtocolError} FLOW_CONTROL_ERROR beyond the window.
   */
  receive(n: number): void {
    this.#window -= n;
    if (this.#window < 0)
      throw new MuxProtocolError(ErrorCode.FlowControlError, 'DATA beyond the connection window');
  }

  /** `n` bytes were consumed (or dropped): the WINDOW_UPDATE increment to send now, or 0. */
  consumed(n: number): number {
    this.#unacked += n;
    if (this.#unacked < this.#target / 4) return 0;
    const increment = this.#unacked;
    this.#window += increment;
    this.#unacked = 0;
    return increment;
  }

  /** Grow the target to `next` (never shrinks): the WINDOW_UPDATE increment to send, or 0. */
  grow(next: number): number {
    if (next <= this.#target) return 0;
    const increment = next - this.#target;
    this.#window += increment;
    this.#target = next;
    return increment;
  }
}
