import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { integerLength, MAX_INTEGER, readInteger, writeInteger } from '../../src/hpack/integer.js';
import { expectCode, hex, toHex } from './helpers.js';

const write = (v: number, n: number, flags = 0) => {
  const out = new Uint8Array(8);
  return out.subarray(0, writeInteger(out, 0, v, n, flags));
};

describe('prefix integers (RFC 7541 §5.1)', () => {
  it('C.1.1: 10 with a 5-bit prefix', () => expect(toHex(write(10, 5))).toBe('0a'));
  it('C.1.2: 1337 with a 5-bit prefix', () => expect(toHex(write(1337, 5))).toBe('1f9a0a'));
  it('C.1.3: 42 at an octet boundary (8-bit prefix)', () => expect(toHex(write(42, 8))).toBe('2a'));

  it('reads C.1.2 and ignores the bits above the prefix', () => {
    const cursor = { pos: 0 };
    expect(readInteger(hex('ff9a0a'), cursor, 5)).toBe(1337);
    expect(cursor.pos).toBe(3);
  });

  it('round-trips any value for every prefix width, with the predicted length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_INTEGER }), fc.integer({ min: 1, max: 8 }), (v, n) => {
        const bytes = write(v, n);
        expect(bytes.length).toBe(integerLength(v, n));
        const cursor = { pos: 0 };
        expect(readInteger(bytes, cursor, n)).toBe(v);
        expect(cursor.pos).toBe(bytes.length);
      }),
    );
  });

  it('rejects values above 2^31 - 1 and endless continuations, and reports truncation', () => {
    expectCode(() => readInteger(hex('1f ff ff ff ff 0f'), { pos: 0 }, 5), 'HPACK_ERR_INTEGER');
    expectCode(() => readInteger(hex('1f 80 80 80 80 80 80 80 80 01'), { pos: 0 }, 5), 'HPACK_ERR_INTEGER');
    expectCode(() => readInteger(hex('1f 9a'), { pos: 0 }, 5), 'HPACK_ERR_TRUNCATED');
    expectCode(() => readInteger(new Uint8Array(0), { pos: 0 }, 5), 'HPACK_ERR_TRUNCATED');
  });
});
