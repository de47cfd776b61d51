import { allocUninitialized } from '@weft/framing';

/** Options of {@link encodeFrame}. */
export interface EncodeOptions {
  /** Last frame of the message. Default true. */
  fin?: boolean;
  /** RSV1 (permessage-deflate: this message is compressed). Default false. */
  rsv1?: boolean;
  /**
   * The 4-byte masking key: clients MUST mask every frame with a fresh random key (§5.3). Servers
   * pass none.
   */
  mask?: Uint8Array;
}

/** Unmasked payloads up to this size are copied behind their header: one buffer, one iovec. */
const MERGE_BYTES = 512;

/**
 * One frame as parts for `writev` (§5.2). Masked frames (clients) are one buffer: the payload has
 * to be copied to mask it anyway, so it is masked straight into place behind the header. Unmasked
 * frames (servers) are `[header, payload]` without copying the payload, or one buffer when it is
 * small. Lengths use the shortest form.
 */
export function encodeFrame(opcode: number, payload: Uint8Array, options: EncodeOptions = {}): Uint8Array[] {
  const n = payload.length;
  const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const mask = options.mask;
  const headerLength = 2 + ext + (mask === undefined ? 0 : 4);
  const merged = mask !== undefined || n <= MERGE_BYTES;
  const out = allocUninitialized(merged ? headerLength + n : headerLength);
  out[0] = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | opcode;
  out[1] = (mask === undefined ? 0 : 0x80) | (ext === 0 ? n : ext === 2 ? 126 : 127);
  if (ext === 2) {
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  } else if (ext === 8) {
    const hi = Math.floor(n / 2 ** 32);
    out[2] = hi >>> 24;
    out[3] = (hi >>> 16) & 0xff;
    out[4] = (hi >>> 8) & 0xff;
    out[5] = hi & 0xff;
    out[6] = n >>> 24;
    out[7] = (n >>> 16) & 0xff;
    out[8] = (n >>> 8) & 0xff;
    out[9] = n & 0xff;
  }
  if (mask === undefined) {
    if (!merged) return [out, payload];
    out.set(payload, headerLength);
    return [out];
  }
  out.set(mask.subarray(0, 4), 2 + ext);
  maskInto(payload, mask, out, headerLength);
  return [out];
}

/** XOR `payload` with the 4-byte mask into `out` at `at` (§5.3). */
function maskInto(payload: Uint8Array, mask: Uint8Array, out: Uint8Array, at: number): void {
  const m0 = mask[0]!;
  const m1 = mask[1]!;
  const m2 = mask[2]!;
  const m3 = mask[3]!;
  const n = payload.length;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    out[at + i] = payload[i]! ^ m0;
    out[at + i + 1] = payload[i + 1]! ^ m1;
    out[at + i + 2] = payload[i + 2]! ^ m2;
    out[at + i + 3] = payload[i + 3]! ^ m3;
  }
  for (; i < n; i++) out[at + i] = payload[i]! ^ mask[i & 3]!;
}
