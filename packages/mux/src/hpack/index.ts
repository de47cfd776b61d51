/**
 * `@weft/mux/hpack`: HPACK header compression for HTTP/2 (RFC 7541), as a pure module: strings in,
 * bytes out, and back.
 * @packageDocumentation
 */

export { HpackDecoder, type HpackDecoderOptions } from './decoder.js';
export { DynamicTable, ENTRY_OVERHEAD, entrySize } from './dynamic-table.js';
export { type HeaderField, HpackEncoder, type HpackEncoderOptions, type HuffmanPolicy } from './encoder.js';
export { HpackError, type HpackErrorCode, HpackUsageError } from './errors.js';
export { huffmanDecode, huffmanEncode, huffmanLength } from './huffman.js';
export { integerLength, MAX_INTEGER, readInteger, writeInteger } from './integer.js';
export { STATIC_TABLE, STATIC_TABLE_LENGTH } from './static-table.js';
