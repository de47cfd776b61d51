/**
 * Error codes raised by `@weft/framing`. Codes are stable; messages are not. Test and branch on `code`.
 *
 * - `FRAMING_ERR_FRAME_TOO_LARGE` — a frame's declared or observed length exceeds `maxFrameLength`
 *   (raised as soon as the header, or the unterminated bytes, show it — never after buffering the frame).
 * - `FRAMING_ERR_TRUNCATED` — `end()` was called while a partial frame was buffered.
 * - `FRAMING_ERR_INVALID_LENGTH` — a malformed length field: an overlong or unterminated varint, or a
 *   length that `lengthAdjustment` makes negative.
 * - `FRAMING_ERR_BARE_LF` — `lines({ strict: true })` saw a LF not preceded by CR.
 * - `FRAMING_ERR_DECODER_FAILED` — the decoder already failed; it must be discarded.
 * - `FRAMING_ERR_INVALID_OPTION` — (usage) a codec option is out of range.
 * - `FRAMING_ERR_INVALID_PAYLOAD` — (usage) `encode` was given a payload the codec cannot frame
 *   (wrong size for `fixedLength`, a delimiter inside a `delimited` payload, a bad extra header).
 * - `FRAMING_ERR_INVALID_ID` — (usage) `IdMap.set` was given an id that is not an integer in 0..2^32 - 1.
 */
export type FramingErrorCode =
  | 'FRAMING_ERR_FRAME_TOO_LARGE'
  | 'FRAMING_ERR_TRUNCATED'
  | 'FRAMING_ERR_INVALID_LENGTH'
  | 'FRAMING_ERR_BARE_LF'
  | 'FRAMING_ERR_DECODER_FAILED'
  | 'FRAMING_ERR_INVALID_OPTION'
  | 'FRAMING_ERR_INVALID_PAYLOAD'
  | 'FRAMING_ERR_INVALID_ID';

/**
 * Base class of every error `@weft/framing` throws. Raised directly for a violation found in the
 * decoded byte stream (the peer's fault); see {@link FramingUsageError} for misuse of the API.
 */
export class FramingError extends Error {
  /** Stable machine-readable code. */
  readonly code: FramingErrorCode;
  /**
   * Frames that the failing `push` had already completed before it met the error, in order. They are
   * valid frames: an adapter delivers them before reporting the error. Empty for every other throw.
   */
  readonly frames: readonly Uint8Array[];

  constructor(code: FramingErrorCode, message: string, options?: { cause?: unknown; frames?: Uint8Array[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FramingError';
    this.code = code;
    this.frames = options?.frames ?? [];
  }
}

/** Misuse of the API by the caller: bad options, or a payload `encode` cannot frame. */
export class FramingUsageError extends FramingError {
  constructor(code: FramingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'FramingUsageError';
  }
}

/** True when `err` is a {@link FramingError} (optionally with the given code). */
export function isFramingError(err: unknown, code?: FramingErrorCode): err is FramingError {
  return err instanceof FramingError && (code === undefined || err.code === code);
}
