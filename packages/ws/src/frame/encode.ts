import { unmask } from './decode.js';

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

/**
 * One frame as `[header, payload]` for `writev` (§5.2): the payload itself when unmasked (no copy),
 * a masked copy otherwise. Lengths use the shortest form.
 */
export function encodeFrame(opcode: number, payload: Uint8Array, options: EncodeOptions = {}): Uint8Array[] {
  const n = payload.length;
  const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const mask = options.mask;
  const header = new Uint8Array(2 + ext + (mask === undefined ? 0 : 4));
  header[0] = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | opcode;
  header[1] = (mask === undefined ? 0 : 0x80) | (ext === 0 ? n : ext === 2 ? 126 : 127);
  if (ext === 2) {
    header[2] = n >>> 8;
    header[3] = n & 0xff;
  } else if (ext === 8) {
    const hi = Math.floor(n / 2 ** 32);
    header[2] = hi >>> 24;
    header[3] = (hi >>> 16) & 0xff;
    header[4] = (hi >>> 8) & 0xff;
    header[5] = hi & 0xff;
    header[6] = n >>> 24;
    header[7] = (n >>> 16) & 0xff;
    header[8] = (n >>> 8) & 0xff;
    header[9] = n & 0xff;
  }
  if (mask === undefined) return n === 0 ? [header] : [header, payload];
  header.set(mask.subarray(0, 4), 2 + ext);
  return n === 0 ? [header] : [header, unmask(payload, mask)];
}
