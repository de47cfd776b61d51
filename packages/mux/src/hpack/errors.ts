/**
 * Error codes raised by the HPACK codec (`@weft/mux/hpack`). The multiplexer maps every
 * {@link HpackError} to an HTTP/2 connection error of type COMPRESSION_ERROR (RFC 9113 §4.3).
 *
 * - `HPACK_ERR_INDEX` — an index of 0, or beyond the static and dynamic tables (RFC 7541 §2.3.3).
 * - `HPACK_ERR_HUFFMAN` — an invalid Huffman string: EOS inside it, or padding longer than 7 bits or
 *   not all ones (RFC 7541 §5.2).
 * - `HPACK_ERR_INTEGER` — a prefix integer too large or too long (RFC 7541 §5.1).
 * - `HPACK_ERR_TABLE_SIZE` — a dynamic table size update above the limit, not at the start of a
 *   block, or missing after the limit shrank (RFC 7541 §4.2, §6.3).
 * - `HPACK_ERR_HEADER_LIST_TOO_LARGE` — the decoded list exceeds `maxHeaderListSize` (counted as
 *   name + value + 32 per field while decoding).
 * - `HPACK_ERR_TRUNCATED` — the block ends inside a representation.
 * - `HPACK_ERR_INVALID_OPTION` — (usage) an option out of range.
 * - `HPACK_ERR_INVALID_FIELD` — (usage) a field the encoder cannot represent (not a string, or a
 *   character above U+00FF: header strings are octets, one per character).
 */
export type HpackErrorCode =
  | 'HPACK_ERR_INDEX'
  | 'HPACK_ERR_HUFFMAN'
  | 'HPACK_ERR_INTEGER'
  | 'HPACK_ERR_TABLE_SIZE'
  | 'HPACK_ERR_HEADER_LIST_TOO_LARGE'
  | 'HPACK_ERR_TRUNCATED'
  | 'HPACK_ERR_INVALID_OPTION'
  | 'HPACK_ERR_INVALID_FIELD';

/** A violation in a header block received from the peer (the peer's fault). */
export class HpackError extends Error {
  /** Stable machine-readable code. */
  readonly code: HpackErrorCode;
  constructor(code: HpackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HpackError';
    this.code = code;
  }
}

/** Misuse of the HPACK API by the caller: bad options or fields. */
export class HpackUsageError extends HpackError {
  constructor(code: HpackErrorCode, message: string) {
    super(code, message);
    this.name = 'HpackUsageError';
  }
}
