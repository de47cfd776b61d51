import { HpackError } from './errors.js';

/**
 * Prefix-coded integers (RFC 7541 §5.1): a value below `2^N - 1` fits in the N-bit prefix; otherwise
 * the prefix is all ones and the rest follows in 7-bit groups, least significant first.
 */

/**
 * Largest integer accepted: 2^31 - 1. Every HPACK integer is an index, a string length or a table
 * size; none can meaningfully exceed this, and keeping below it means no arithmetic leaves the safe
 * range however many continuation bytes a peer sends.
 */
export const MAX_INTEGER = 0x7fff_ffff;

/** Write `value` with an `n`-bit prefix into `out` at `at`; `flags` fills the bits above the prefix. */
export function writeInteger(out: Uint8Array, at: number, value: number, n: number, flags: number): number {
  const max = (1 << n) - 1;
  if (value < max) {
    out[at++] = flags | value;
    return at;
  }
  out[at++] = flags | max;
  value -= max;
  while (value >= 0x80) {
    out[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/** Bytes {@link writeInteger} needs for `value` with an `n`-bit prefix. */
export function integerLength(value: number, n: number): number {
  const max = (1 << n) - 1;
  if (value < max) return 1;
  let len = 2;
  for (let v = value - max; v >= 0x80; v = Math.floor(v / 128)) len++;
  return len;
}

/** Where {@link readInteger} leaves the offset after the integer. */
export interface Cursor {
  pos: number;
}

/**
 * Read an integer with an `n`-bit prefix starting at `cursor.pos` (the first byte's high bits are
 * ignored), advancing the cursor.
 * @throws {HpackError} `HPACK_ERR_TRUNCATED` if the block ends inside it; `HPACK_ERR_INTEGER` above
 *   {@link MAX_INTEGER}.
 */
export function readInteger(block: Uint8Array, cursor: Cursor, n: number): number {
  let pos = cursor.pos;
  if (pos >= block.length) throw new HpackError('HPACK_ERR_TRUNCATED', 'header block ends inside an integer');
  const max = (1 << n) - 1;
  let value = block[pos++]! & max;
  if (value < max) {
    cursor.pos = pos;
    return value;
  }
  let scale = 1;
  for (;;) {
    if (pos >= block.length)
      throw new HpackError('HPACK_ERR_TRUNCATED', 'header block ends inside an integer');
    const b = block[pos++]!;
    value += (b & 0x7f) * scale;
    if (value > MAX_INTEGER) throw new HpackError('HPACK_ERR_INTEGER', `integer exceeds ${MAX_INTEGER}`);
    if ((b & 0x80) === 0) break;
    scale *= 128;
    // Zero continuation groups add nothing but bytes: bound the encoding's length as well.
    if (scale > 2 ** 35) throw new HpackError('HPACK_ERR_INTEGER', 'integer encoding too long');
  }
  cursor.pos = pos;
  return value;
}
