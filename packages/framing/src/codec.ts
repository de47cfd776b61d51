/**
 * The shape shared by every codec: a value that turns one payload into one frame, and makes fresh
 * streaming decoders that find frame boundaries in a byte stream ("sticky packets").
 */
export interface Codec {
  /** Human-readable name, used in error messages and by the testing kit. */
  readonly name: string;
  /** Largest payload (bytes, excluding headers and delimiters) this codec encodes or accepts. */
  readonly maxFrameLength: number;
  /**
   * Encode one payload as one complete frame.
   * @throws {FramingUsageError} `FRAMING_ERR_FRAME_TOO_LARGE`, `FRAMING_ERR_INVALID_PAYLOAD`
   */
  encode(payload: Uint8Array): Uint8Array;
  /**
   * Zero-copy form of {@link Codec.encode}: the frame as parts to hand to `writev` (the payload
   * itself is one of them, not copied). Concatenated, the parts equal `encode(payload)`.
   */
  encodeParts(payload: Uint8Array): Uint8Array[];
  /** A fresh streaming decoder with its own state. */
  decoder(): FrameDecoder;
}

/** A resumable, incremental frame decoder. Feed it chunks as they arrive; it returns whole frames. */
export interface FrameDecoder {
  /**
   * Consume one chunk; return the frames it completed, in order. A frame lying inside `chunk` is a
   * `Uint8Array` view of its memory (no copy): copy it if you keep it after reusing the chunk's memory.
   * @throws {FramingError} with the code of the violation; `err.frames` holds frames completed before it.
   */
  push(chunk: Uint8Array): Uint8Array[];
  /**
   * Declare the end of the stream.
   * @throws {FramingError} `FRAMING_ERR_TRUNCATED` if a partial frame is buffered.
   */
  end(): void;
  /** Bytes held that belong to a frame not yet complete. */
  readonly buffered: number;
}

/** Default `maxFrameLength`: 8 MiB. */
export const DEFAULT_MAX_FRAME_LENGTH = 8 * 1024 * 1024;

/**
 * Largest `maxFrameLength` accepted: 2^32 - 1. Node 20 cannot allocate a single buffer larger than
 * 4 GiB, so a larger limit would only move the failure from a clean error to an allocation crash.
 */
export const MAX_FRAME_LENGTH_LIMIT = 0xffff_ffff;

/** What a decoder does with a frame over `maxFrameLength`. */
export type OversizePolicy =
  /** Throw `FRAMING_ERR_FRAME_TOO_LARGE` and fail the decoder (the default). */
  | 'error'
  /**
   * Netty's discard mode: drop the oversize frame's bytes as they arrive (never buffering them),
   * report it through `onDiscard`, then resynchronise on the next frame.
   */
  | 'discard';

/** Options every built-in codec accepts. */
export interface CommonCodecOptions {
  /** Largest payload in bytes. Default 8 MiB, at most 2^32 - 1. Checked on encode and on decode. */
  maxFrameLength?: number;
  /** What to do with an oversize frame while decoding. Default `'error'`. */
  oversize?: OversizePolicy;
  /** Called with the frame's length (or bytes dropped so far, for delimiters) when a frame is discarded. */
  onDiscard?: (length: number) => void;
}
