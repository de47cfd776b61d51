import { FramingError } from './errors.js';

/**
 * How decoders fail: once a decoder throws it is failed for good (its stream is desynchronised), so
 * each decoder keeps the first error and rethrows through these helpers.
 */

/** The error a decoder records when `push` meets `err`, carrying the frames completed before it. */
export function asFailure(err: unknown, name: string, frames: Uint8Array[]): FramingError {
  return err instanceof FramingError
    ? new FramingError(err.code, err.message, { frames, cause: err.cause })
    : new FramingError('FRAMING_ERR_DECODER_FAILED', `${name}: ${String(err)}`, { frames, cause: err });
}

/** The error a failed decoder throws on every later call. */
export function failedAgain(first: FramingError): FramingError {
  return new FramingError(first.code, `decoder already failed: ${first.message}`, { cause: first });
}

/** The error `end()` raises for a partial frame. */
export function truncated(name: string, detail: string): FramingError {
  return new FramingError('FRAMING_ERR_TRUNCATED', `${name}: stream ended inside ${detail}`);
}
