/**
 * `@weft/framing/testing`: a fast-check kit for anyone's framing codec.
 *
 * - {@link rechunk}: every way TCP could cut a byte stream into reads;
 * - {@link codecLaws}: the laws a codec must obey, as properties to run in any test framework.
 *
 * @packageDocumentation
 */
export { bytesEqual, concat, hex, splitAt } from './bytes.js';
export {
  assertCodecLaws,
  type CodecLaw,
  CodecLawError,
  type CodecLawsOptions,
  codecLaws,
  type TestableCodec,
} from './laws.js';
export { type RechunkOptions, rechunk } from './rechunk.js';
