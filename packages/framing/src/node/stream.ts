import { Transform, type TransformCallback } from 'node:stream';
import type { Codec } from '../codec.js';
import { FramingError } from '../errors.js';

type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * Frames of `source` (a `Readable`, or any async iterable of chunks) as an async iterable. Frames a
 * chunk completed before a framing error are yielded before the error is thrown.
 *
 * @example
 * for await (const frame of decodeStream(socket, lengthPrefixed())) handle(frame);
 * @throws {FramingError} from the codec's decoder, including `FRAMING_ERR_TRUNCATED` at the end.
 */
export async function* decodeStream(
  source: ByteSource,
  codec: Codec,
): AsyncGenerator<Uint8Array, void, undefined> {
  const decoder = codec.decoder();
  for await (const chunk of source) {
    let frames: readonly Uint8Array[];
    try {
      frames = decoder.push(toBytes(chunk));
    } catch (err) {
      if (err instanceof FramingError) yield* err.frames;
      throw err;
    }
    yield* frames;
  }
  decoder.end();
}

/**
 * A Transform stream: bytes in, frames out (object mode on the readable side). Backpressure is the
 * Transform's own: while the reader lags, no more input is consumed. On a framing error the stream is
 * destroyed with the `FramingError`; frames that the failing chunk completed before the error are on
 * its `frames` (a destroyed stream drops whatever it had buffered, so they are not pushed).
 */
export function createDecoderStream(codec: Codec): Transform {
  const decoder = codec.decoder();
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Uint8Array | string, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        for (const frame of decoder.push(toBytes(chunk))) this.push(frame);
      } catch (err) {
        callback(err as Error);
        return;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      try {
        decoder.end();
      } catch (err) {
        callback(err as Error);
        return;
      }
      callback();
    },
  });
}

/**
 * A Transform stream: payloads in (object mode on the writable side), encoded frames out. Uses the
 * codec's zero-copy `encodeParts`: the payload is pushed as it is, not copied.
 */
export function createEncoderStream(codec: Codec): Transform {
  return new Transform({
    writableObjectMode: true,
    transform(payload: Uint8Array | string, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        for (const part of codec.encodeParts(toBytes(payload))) if (part.length > 0) this.push(part);
      } catch (err) {
        callback(err as Error);
        return;
      }
      callback();
    },
  });
}
