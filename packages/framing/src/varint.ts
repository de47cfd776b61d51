import { FramingError, FramingUsageError } from './errors.js';

/**
 * Unsigned LEB128 varints (protobuf style: 7 bits per byte, least significant group first, high bit
 * set on every byte but the last), limited to JavaScript's safe integers.
 */

/**
 * Longest varint a decoder needs to see: 8 bytes carry 56 bits, more than any safe integer, so the
 * value check below rejects a varint still continuing after its 8th byte before a 9th is read.
 */
export const MAX_VARINT_BYTES = 8;

/** Number of bytes the minimal encoding of `value` takes. */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/**
 * Write the minimal encoding of `value` into `target` at `at`; return the offset after it.
 * @throws {FramingUsageError} `FRAMING_ERR_INVALID_OPTION` if `value` is not a safe non-negative integer.
 */
export function writeVarint(value: number, target: Uint8Array, at: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new FramingUsageError(
      'FRAMING_ERR_INVALID_OPTION',
      `varint value must be a safe unsigned integer, got ${value}`,
    );
  }
  while (value >= 0x80) {
    target[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  target[at++] = value;
  return at;
}

/** Encode `value` as a minimal varint. */
export function encodeVarint(value: number): Uint8Array {
  const out = new Uint8Array(varintLength(value));
  writeVarint(value, out, 0);
  return out;
}

/** Result of {@link readVarint}: the value and the number of bytes it took. */
export interface VarintRead {
  value: number;
  bytes: number;
}

/**
 * Read a varint from `bytes[start, end)`. Returns `undefined` when the bytes end before the varint
 * does ("need more" is a return value). `limit` bounds the value: as soon as the bytes seen prove the
 * value must exceed it, `FRAMING_ERR_FRAME_TOO_LARGE` is thrown — before the varint is complete.
 *
 * @throws {FramingError} `FRAMING_ERR_INVALID_LENGTH` for a non-minimal encoding (a final 0x00 byte
 *   after a continuation); `FRAMING_ERR_FRAME_TOO_LARGE` for a value above `limit` (at most 2^53 - 1,
 *   so no varint longer than {@link MAX_VARINT_BYTES} is ever read).
 */
export function readVarint(
  bytes: Uint8Array,
  start: number,
  end: number,
  limit = Number.MAX_SAFE_INTEGER,
): VarintRead | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; start + i < end; i++) {
    const b = bytes[start + i]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) {
        throw new FramingError('FRAMING_ERR_INVALID_LENGTH', 'non-minimal varint (trailing zero byte)');
      }
      if (value > limit) {
        throw new FramingError('FRAMING_ERR_FRAME_TOO_LARGE', `length ${value} exceeds the limit ${limit}`);
      }
      return { value, bytes: i + 1 };
    }
    scale *= 128;
    // A minimal encoding's final byte is non-zero, so the value is at least `value + scale`.
    if (value + scale > limit) {
      throw new FramingError(
        'FRAMING_ERR_FRAME_TOO_LARGE',
        `length of at least ${value + scale} exceeds the limit ${limit}`,
      );
    }
  }
  return undefined;
}
