import { ByteQueue, view } from '@weft/framing';
import { MuxProtocolError } from '../errors.js';
import { ErrorCode, Flag, FrameType } from './types.js';

/**
 * Where a {@link FrameReader} delivers what it reads. Each method returns whether to go on reading
 * (false once the connection failed).
 */
export interface FrameSink {
  /** A whole frame, 9-byte header then payload: a view of the input when it lay in one chunk. */
  frame(bytes: Uint8Array): boolean;
  /** The header of an unpadded DATA frame: its payload follows through `dataPayload`. */
  dataHeader(streamId: number, flags: number, length: number): boolean;
  /**
   * A run of the current DATA frame's payload, as it arrived (a view, never a copy). `last` marks
   * the frame's final run; a frame of length 0 gives one empty, last run.
   */
  dataPayload(data: Uint8Array, last: boolean): boolean;
}

const HEADER = 9;
const EMPTY = new Uint8Array(0);

/**
 * Splits the byte stream into HTTP/2 frames (RFC 9113 §4.1). Unpadded DATA payloads are streamed as
 * they arrive, without waiting for the whole frame and without copying: a bulk transfer's bytes go
 * from the socket's chunk to the application as views. Other frames (and padded DATA, rare) are
 * handed over whole — a view when the frame lies inside one input chunk, else one copy made once
 * the last byte arrived (memory follows the bytes received, never a length the peer claims, nor
 * the number of chunks they came in).
 */
export class FrameReader {
  readonly #maxFrameSize: number;
  readonly #maxBlockFrame: number;
  readonly #head = new Uint8Array(HEADER);
  #headFill = 0;
  /**
   * The bytes of a whole frame arriving across chunks, header first: a ByteQueue, so that a frame
   * in many small chunks costs its bytes, not an object per chunk.
   */
  readonly #parts = new ByteQueue();
  /** Bytes the frame in `#parts` still needs (0: none in progress). */
  #partsLeft = 0;
  #partsBytes = 0;
  /** Payload bytes of the current DATA frame still to come (0: not inside a DATA payload). */
  #dataLeft = 0;

  /**
   * @param maxFrameSize our SETTINGS_MAX_FRAME_SIZE
   * @param maxBlockFrame longest HEADERS, PUSH_PROMISE or CONTINUATION frame accepted (a header block
   *   longer than this would exceed the header list limit anyway): ENHANCE_YOUR_CALM beyond it,
   *   from the header, before any payload is held.
   */
  constructor(maxFrameSize: number, maxBlockFrame: number) {
    this.#maxFrameSize = maxFrameSize;
    this.#maxBlockFrame = maxBlockFrame;
  }

  /**
   * Read `chunk`, calling `sink` for each frame or DATA run, in order.
   * @throws {MuxProtocolError} FRAME_SIZE_ERROR for a frame longer than `maxFrameSize`,
   *   ENHANCE_YOUR_CALM for a header-block frame longer than `maxBlockFrame`, both detected from the
   *   frame header (the frames before it are delivered first).
   */
  push(chunk: Uint8Array, sink: FrameSink): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.#dataLeft > 0) {
        const k = Math.min(this.#dataLeft, n - i);
        this.#dataLeft -= k;
        i += k;
        if (!sink.dataPayload(chunk.subarray(i - k, i), this.#dataLeft === 0)) return;
        continue;
      }
      if (this.#partsLeft > 0) {
        const k = Math.min(this.#partsLeft, n - i);
        this.#parts.push(chunk.subarray(i, i + k));
        this.#partsBytes += k;
        this.#partsLeft -= k;
        i += k;
        if (this.#partsLeft > 0) return;
        const f = this.#parts.take(this.#partsBytes);
        if (!sink.frame(f)) return;
        continue;
      }
      // At a frame boundary: the 9-byte header, straight from the chunk when it is all there.
      let h = chunk;
      let at = i;
      if (this.#headFill === 0 && n - i >= HEADER) {
        i += HEADER;
      } else {
        const k = Math.min(HEADER - this.#headFill, n - i);
        this.#head.set(chunk.subarray(i, i + k), this.#headFill);
        this.#headFill += k;
        i += k;
        if (this.#headFill < HEADER) return;
        this.#headFill = 0;
        h = this.#head;
        at = 0;
      }
      const length = (h[at]! << 16) | (h[at + 1]! << 8) | h[at + 2]!;
      if (length > this.#maxFrameSize) {
        throw new MuxProtocolError(
          ErrorCode.FrameSizeError,
          `frame exceeds SETTINGS_MAX_FRAME_SIZE ${this.#maxFrameSize}`,
        );
      }
      const type = h[at + 3]!;
      const flags = h[at + 4]!;
      if (
        length > this.#maxBlockFrame &&
        (type === FrameType.Headers || type === FrameType.PushPromise || type === FrameType.Continuation)
      ) {
        throw new MuxProtocolError(ErrorCode.EnhanceYourCalm, `header block frame of ${length} bytes`);
      }
      if (type === FrameType.Data && (flags & Flag.Padded) === 0) {
        const streamId =
          (h[at + 5]! & 0x7f) * 0x100_0000 + ((h[at + 6]! << 16) | (h[at + 7]! << 8) | h[at + 8]!);
        this.#dataLeft = length;
        if (!sink.dataHeader(streamId, flags, length)) return;
        if (length === 0 && !sink.dataPayload(EMPTY, true)) return;
        continue;
      }
      if (h === chunk && n - i >= length) {
        i += length;
        if (!sink.frame(view(chunk, at, i))) return;
        continue;
      }
      // The frame continues past this chunk (or its header did not lie in it): collect its parts.
      const header = h === chunk ? chunk.subarray(at, at + HEADER) : this.#head.slice();
      if (length === 0) {
        if (!sink.frame(header)) return;
        continue;
      }
      this.#parts.push(header);
      this.#partsBytes = HEADER;
      this.#partsLeft = length;
    }
  }
}
