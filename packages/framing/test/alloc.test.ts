import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { allocUninitialized, concatBytes, view } from '../src/index.js';

describe('byte helpers', () => {
  test.prop([fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 8 })])(
    'concatBytes joins parts in order, with or without the total',
    (parts) => {
      const expected = Buffer.concat(parts);
      expect(Buffer.from(concatBytes(parts))).toEqual(expected);
      expect(Buffer.from(concatBytes(parts, expected.length))).toEqual(expected);
    },
  );

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.nat()])(
    'view is bytes[start, end) and shares their memory, on a Buffer at an offset too',
    (bytes, a, b) => {
      const source = Buffer.concat([Buffer.from([0xee]), bytes]).subarray(1); // nonzero byteOffset
      const start = a % (source.length + 1);
      const end = start + (b % (source.length - start + 1));
      const v = view(source, start, end);
      expect(v).not.toBeInstanceOf(Buffer);
      expect(Buffer.from(v)).toEqual(Buffer.from(source.subarray(start, end)));
      if (v.length > 0) {
        v[0] = v[0]! ^ 0xff;
        expect(source[start]).toBe(v[0]);
      }
    },
  );

  it('allocUninitialized gives the size asked', () => {
    expect(allocUninitialized(0).length).toBe(0);
    expect(allocUninitialized(100).length).toBe(100);
  });
});
