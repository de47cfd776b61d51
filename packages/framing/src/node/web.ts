import type { Codec } from '../codec.js';

/**
 * A WHATWG `TransformStream` from bytes to frames, for `pipeThrough` on web streams
 * (`Readable.toWeb(socket)`, `fetch` bodies, ...). A framing error errors the stream; frames the
 * failing chunk completed before it are on the error's `frames`.
 */
export function decoderTransformStream(codec: Codec): TransformStream<Uint8Array, Uint8Array> {
  const decoder = codec.decoder();
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      for (const frame of decoder.push(chunk)) controller.enqueue(frame);
    },
    flush() {
      decoder.end();
    },
  });
}

/** A WHATWG `TransformStream` from payloads to encoded frames (one chunk per part, no copy). */
export function encoderTransformStream(codec: Codec): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(payload, controller) {
      for (const part of codec.encodeParts(payload)) if (part.length > 0) controller.enqueue(part);
    },
  });
}
