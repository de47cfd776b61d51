import { HpackError } from './errors.js';
import {
  HUFFMAN_ACCEPT,
  HUFFMAN_CODES,
  HUFFMAN_DECODE,
  HUFFMAN_FAIL,
  HUFFMAN_LENGTHS,
  HUFFMAN_SYMBOL,
} from './huffman-table.js';

/**
 * The HPACK Huffman code (RFC 7541 §5.2, Appendix B). Encoding packs codes through a 32-bit
 * accumulator; decoding walks a generated state machine 4 bits at a time.
 */

/** Encoded size in bytes of the latin1 string `s` (padding included), or -1 if a character exceeds 0xff. */
export function huffmanLength(s: string): number {
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return -1;
    bits += HUFFMAN_LENGTHS[c]!;
  }
  return (bits + 7) >>> 3;
}

/** Huffman-encode the latin1 string `s` (characters <= 0xff) into `out` at `at`; return the offset after it. */
export function huffmanEncode(s: string, out: Uint8Array, at: number): number {
  let acc = 0; // pending bits, right-aligned
  let n = 0; // how many (always < 8 between symbols)
  for (let i = 0; i < s.length; i++) {
    const sym = s.charCodeAt(i) & 0xff;
    let code = HUFFMAN_CODES[sym]!;
    let len = HUFFMAN_LENGTHS[sym]!;
    // Feed at most 24 bits at a time so that acc never holds more than 31 bits.
    while (len > 0) {
      const take = len > 24 ? len - 24 : len;
      const part = take === len ? code : Math.floor(code / 2 ** (len - take));
      acc = ((acc << take) | part) >>> 0;
      n += take;
      len -= take;
      code = len > 0 ? code % 2 ** len : 0;
      while (n >= 8) {
        n -= 8;
        out[at++] = (acc >>> n) & 0xff;
      }
      acc &= (1 << n) - 1;
    }
  }
  if (n > 0) out[at++] = ((acc << (8 - n)) | (0xff >>> n)) & 0xff; // pad with the EOS prefix (all ones)
  return at;
}

/**
 * Decode the Huffman string `block[start, end)` into `out` (which must hold `(end - start) * 8 / 5`
 * bytes: no code is shorter than 5 bits); return the number of bytes written, or -1 as soon as more
 * than `max` bytes have been decoded.
 * @throws {HpackError} `HPACK_ERR_HUFFMAN` for EOS in the string or invalid padding.
 */
export function huffmanDecode(
  block: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  max = Number.POSITIVE_INFINITY,
): number {
  let state = 0;
  let accept = true;
  let o = 0;
  for (let i = start; i < end; i++) {
    if (o > max) return -1;
    const b = block[i]!;
    let e = HUFFMAN_DECODE[(state << 4) | (b >>> 4)]!;
    if ((e & HUFFMAN_FAIL) !== 0) throw new HpackError('HPACK_ERR_HUFFMAN', 'EOS inside a Huffman string');
    if ((e & HUFFMAN_SYMBOL) !== 0) out[o++] = (e >>> 8) & 0xff;
    state = e & 0xff;
    e = HUFFMAN_DECODE[(state << 4) | (b & 0x0f)]!;
    if ((e & HUFFMAN_FAIL) !== 0) throw new HpackError('HPACK_ERR_HUFFMAN', 'EOS inside a Huffman string');
    if ((e & HUFFMAN_SYMBOL) !== 0) out[o++] = (e >>> 8) & 0xff;
    state = e & 0xff;
    accept = (e & HUFFMAN_ACCEPT) !== 0;
  }
  if (o > max) return -1;
  if (!accept) {
    throw new HpackError('HPACK_ERR_HUFFMAN', 'Huffman padding is longer than 7 bits or not all ones');
  }
  return o;
}
