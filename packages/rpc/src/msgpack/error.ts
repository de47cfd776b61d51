/** Why the compact MessagePack engine refused bytes or a value. */
export type MsgpackErrorCode =
  /** The bytes end inside a value. */
  | 'MSGPACK_ERR_TRUNCATED'
  /** Bytes follow the one value a message holds. */
  | 'MSGPACK_ERR_TRAILING'
  /** `0xc1`, the one byte MessagePack never uses. */
  | 'MSGPACK_ERR_RESERVED'
  /** An extension type the plain format does not write (only 0, `undefined`, and -1, timestamps). */
  | 'MSGPACK_ERR_EXTENSION'
  /** A map key that is not a string, number, boolean, bigint or nil. */
  | 'MSGPACK_ERR_KEY'
  /** A value MessagePack cannot carry: a symbol, or a bigint outside 64 bits. */
  | 'MSGPACK_ERR_VALUE'
  /** Arrays and maps nested deeper than `MAX_DEPTH` (on the way out, also what a cycle gives). */
  | 'MSGPACK_ERR_DEPTH';

/** How deeply arrays and maps may nest, so neither a cycle nor a peer's input exhausts the stack. */
export const MAX_DEPTH = 1000;

/** The refusal of a value nested past `MAX_DEPTH`. */
export const tooDeep = (): MsgpackError =>
  new MsgpackError('MSGPACK_ERR_DEPTH', `arrays and maps nest deeper than ${MAX_DEPTH}`);

/** A MessagePack value that could not be read or written; `code` says why. */
export class MsgpackError extends Error {
  constructor(
    readonly code: MsgpackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MsgpackError';
  }
}
