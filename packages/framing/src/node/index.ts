/**
 * `@weft/framing/node`: adapters from codecs to Node streams, async iterables and WHATWG streams.
 * @packageDocumentation
 */
export { createDecoderStream, createEncoderStream, decodeStream } from './stream.js';
export { type EarlyWrites, TickFlusher } from './tick-flusher.js';
export { decoderTransformStream, encoderTransformStream } from './web.js';
