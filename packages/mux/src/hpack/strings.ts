import { HpackUsageError } from './errors.js';

/**
 * Header strings are octets (RFC 9113 §8.2): one character per byte, as node:http2 presents them
 * (latin1). These helpers convert without a TextEncoder round trip.
 */

const nodeBuffer = (
  globalThis as { Buffer?: { prototype: { latin1Slice?: (start: number, end: number) => string } } }
).Buffer;
const latin1Slice = nodeBuffer?.prototype.latin1Slice;

/** The string of `bytes[start, end)`, one character per byte. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, start, end);
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, Math.min(end, i + 4096))));
  }
  return s;
}

/**
 * Write `s` into `out` at `at`, one byte per character; return the offset after it.
 * @throws {HpackUsageError} `HPACK_ERR_INVALID_FIELD` for a character above U+00FF.
 */
export function writeLatin1(s: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) {
      throw new HpackUsageError(
        'HPACK_ERR_INVALID_FIELD',
        `header strings are octets: character U+${c.toString(16).padStart(4, '0')} cannot be sent`,
      );
    }
    out[at++] = c;
  }
  return at;
}
