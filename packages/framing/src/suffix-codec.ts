import { allocUninitialized } from './alloc.js';
import type { Codec, FrameDecoder } from './codec.js';

/**
 * A codec whose frame is the payload followed by a fixed suffix (a delimiter or a line ending):
 * `encode` copies once, `encodeParts` not at all; `check` refuses payloads the suffix cannot end.
 */
export function suffixCodec(
  name: string,
  maxFrameLength: number,
  suffix: Uint8Array,
  check: (payload: Uint8Array) => void,
  decoder: () => FrameDecoder,
): Codec {
  return {
    name,
    maxFrameLength,
    encode(payload) {
      check(payload);
      const out = allocUninitialized(payload.length + suffix.length);
      out.set(payload, 0);
      out.set(suffix, payload.length);
      return out;
    },
    encodeParts(payload) {
      check(payload);
      return [payload, suffix];
    },
    decoder,
  };
}
