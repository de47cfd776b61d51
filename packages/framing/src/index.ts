/**
 * `@weft/framing`: message boundaries on a byte stream. TCP delivers bytes, not messages: one read
 * may hold half a message or three. A codec encodes one payload as one frame; its decoder finds the
 * frames again in any chunking of the stream.
 *
 * @packageDocumentation
 */

export { allocUninitialized, concatBytes, view } from './alloc.js';
export { ByteQueue } from './byte-queue.js';
export type { Codec, CommonCodecOptions, FrameDecoder, OversizePolicy } from './codec.js';
export { DEFAULT_MAX_FRAME_LENGTH, MAX_FRAME_LENGTH_LIMIT } from './codec.js';
export { DelimitedDecoder, type DelimitedOptions, type Delimiter, delimited } from './delimiter.js';
export { FramingError, type FramingErrorCode, FramingUsageError, isFramingError } from './errors.js';
export { FixedLengthDecoder, fixedLength } from './fixed-length.js';
export { IdMap } from './id-map.js';
export {
  type LengthPrefixedCodec,
  LengthPrefixedDecoder,
  type LengthPrefixedOptions,
  type LengthWidth,
  lengthPrefixed,
} from './length-prefix.js';
export { LinesDecoder, type LinesOptions, lines } from './lines.js';
export type { Listen } from './listeners.js';
export { type Budget, TokenBucket } from './token-bucket.js';
export {
  encodeVarint,
  MAX_VARINT_BYTES,
  readVarint,
  type VarintRead,
  varintLength,
  writeVarint,
} from './varint.js';
