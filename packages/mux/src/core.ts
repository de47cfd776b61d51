/**
 * `@weft/mux/core`: the pure HTTP/2 connection core — bytes in, events out — with no I/O, for
 * embedding in other runtimes or testing byte by byte.
 * @packageDocumentation
 */
export { Connection, type ConnectionOptions, DATA_CHUNK } from './connection.js';
export { MuxError, type MuxErrorCode, MuxProtocolError, MuxUsageError } from './errors.js';
export type { ConnectionEvent, HeadersKind } from './events.js';
export { decodeFrame, type Frame, type PriorityFields } from './frame/decode.js';
export * from './frame/encode.js';
export * from './frame/types.js';
export { MAX_CONTINUATIONS } from './header-block.js';
export { type BlockKind, validateBlock } from './headers.js';
export { DEFAULT_FLOOD_LIMITS, type FloodLimits } from './limits.js';
export { PROTOCOL_DEFAULTS, type Settings, WEFT_DEFAULTS } from './settings.js';
export { type StreamEvent, type StreamState, TRANSITIONS } from './state.js';
