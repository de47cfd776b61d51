/**
 * Header block assembly (RFC 9113 §4.3, §6.10): a HEADERS or PUSH_PROMISE frame opens a block,
 * CONTINUATION frames on the same stream extend it, END_HEADERS completes it. While a block is open
 * no other frame may arrive (the connection checks {@link HeaderBlockAssembler.open}). The block is
 * bounded in frames and bytes, so that a CONTINUATION flood ends the connection instead of
 * filling its memory.
 */
import { concatBytes } from '@weft/framing';
import { MuxProtocolError } from './errors.js';
import { ErrorCode } from './frame/types.js';

/**
 * Most CONTINUATION frames one header block may use. A CONTINUATION flood (2024) sends endless tiny
 * frames that each cost a callback; 64 frames carry any legal block at the default frame size.
 */
export const MAX_CONTINUATIONS = 64;

/** A complete header block, ready for HPACK. */
export interface HeaderBlock {
  streamId: number;
  /** The HPACK-encoded block, its fragments joined. */
  block: Uint8Array;
  endStream: boolean;
  /** Set for a PUSH_PROMISE: the stream it reserves. */
  promisedId?: number;
}

interface Open {
  streamId: number;
  fragments: Uint8Array[];
  bytes: number;
  frames: number;
  endStream: boolean;
  promisedId?: number;
}

export class HeaderBlockAssembler {
  #open: Open | undefined;

  /** @param maxBytes the longest encoded block accepted across its CONTINUATIONs. */
  constructor(readonly maxBytes: number) {}

  /** A block is being assembled: only a CONTINUATION on its stream may come next. */
  get open(): boolean {
    return this.#open !== undefined;
  }

  /** A HEADERS or PUSH_PROMISE frame: the block, when it carries END_HEADERS. */
  start(
    streamId: number,
    fragment: Uint8Array,
    endHeaders: boolean,
    endStream: boolean,
    promisedId?: number,
  ): HeaderBlock | undefined {
    const open: Open = { streamId, fragments: [fragment], bytes: fragment.length, frames: 1, endStream };
    if (promisedId !== undefined) open.promisedId = promisedId;
    this.#open = open;
    return endHeaders ? this.#finish() : undefined;
  }

  /**
   * A CONTINUATION frame: the block, when it carries END_HEADERS.
   * @throws {MuxProtocolError} PROTOCOL_ERROR without an open block on its stream; ENHANCE_YOUR_CALM
   * past {@link MAX_CONTINUATIONS} frames or `maxBytes`.
   */
  continue(streamId: number, fragment: Uint8Array, endHeaders: boolean): HeaderBlock | undefined {
    const b = this.#open;
    if (b === undefined || b.streamId !== streamId) {
      throw new MuxProtocolError(
        ErrorCode.ProtocolError,
        'CONTINUATION without a header block on its stream',
      );
    }
    b.frames++;
    b.bytes += fragment.length;
    if (b.frames > MAX_CONTINUATIONS || b.bytes > this.maxBytes) {
      throw new MuxProtocolError(
        ErrorCode.EnhanceYourCalm,
        `header block of ${b.frames} frames / ${b.bytes} bytes`,
      );
    }
    b.fragments.push(fragment);
    return endHeaders ? this.#finish() : undefined;
  }

  #finish(): HeaderBlock {
    const b = this.#open!;
    this.#open = undefined;
    const block = b.fragments.length === 1 ? b.fragments[0]! : concatBytes(b.fragments, b.bytes);
    const done: HeaderBlock = { streamId: b.streamId, block, endStream: b.endStream };
    if (b.promisedId !== undefined) done.promisedId = b.promisedId;
    return done;
  }
}
