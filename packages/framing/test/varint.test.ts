import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeVarint, readVarint, varintLength } from '../src/varint.js';
import { expectCode, hex } from './helpers.js';

describe('varint (unsigned LEB128)', () => {
  it('encodes the protobuf documentation examples', () => {
    // protobuf encoding guide: 1 → 01, 150 → 96 01, 300 → ac 02.
    expect(Array.from(encodeVarint(1))).toEqual([0x01]);
    expect(Array.from(encodeVarint(150))).toEqual([0x96, 0x01]);
    expect(Array.from(encodeVarint(300))).toEqual([0xac, 0x02]);
    expect(Array.from(encodeVarint(0))).toEqual([0x00]);
  });

  it('round-trips any safe integer, with the predicted length', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (v) => {
        const e = encodeVarint(v);
        expect(e.length).toBe(varintLength(v));
        expect(readVarint(e, 0, e.length)).toEqual({ value: v, bytes: e.length });
      }),
    );
  });

  it('needs more bytes rather than failing on a split varint', () => {
    const e = encodeVarint(2 ** 40);
    for (let n = 0; n < e.length; n++) expect(readVarint(e, 0, n)).toBeUndefined();
  });

  it('rejects non-minimal encodings', () => {
    expectCode(() => readVarint(hex('80 00'), 0, 2), 'FRAMING_ERR_INVALID_LENGTH');
    expectCode(() => readVarint(hex('81 80 00'), 0, 3), 'FRAMING_ERR_INVALID_LENGTH');
  });

  it('rejects a varint beyond 53 bits by its 8th byte, never reading a 9th', () => {
    expectCode(() => readVarint(hex('ff ff ff ff ff ff ff ff'), 0, 8), 'FRAMING_ERR_FRAME_TOO_LARGE');
    expectCode(() => readVarint(hex('80 80 80 80 80 80 80 80 01'), 0, 9), 'FRAMING_ERR_FRAME_TOO_LARGE');
    expect(readVarint(encodeVarint(Number.MAX_SAFE_INTEGER), 0, 8)?.value).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects a value over the limit as soon as the bytes prove it, before the varint ends', () => {
    // limit 1000 (0xe8 0x07): after 0x80 0x80 the value is at least 2^14 > 1000, third byte not needed.
    expectCode(() => readVarint(hex('80 80'), 0, 2, 1000), 'FRAMING_ERR_FRAME_TOO_LARGE');
    expectCode(() => readVarint(encodeVarint(1001), 0, 2, 1000), 'FRAMING_ERR_FRAME_TOO_LARGE');
    expect(readVarint(encodeVarint(1000), 0, 2, 1000)?.value).toBe(1000);
  });
});
