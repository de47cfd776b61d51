/**
 * The browser build's compact MessagePack engine against msgpackr, which the Node build uses: for
 * any value, msgpackr reads what the compact writer writes as it reads its own bytes, and the compact
 * reader reads msgpackr's bytes (and its own) as msgpackr does. Then the smallest forms, and every
 * refusal with its code.
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decode } from '../src/msgpack/decode.js';
import { encode } from '../src/msgpack/encode.js';
import { MAX_DEPTH, MsgpackError, type MsgpackErrorCode } from '../src/msgpack/error.js';

const msgpackr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

/** Node's Buffers as plain Uint8Arrays, so the two readers' results compare equal. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', ''));
const scalar = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer({ min: -200, max: 200 }),
  fc.integer(),
  fc.nat({ max: 0xffffffff }),
  fc.maxSafeInteger(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 200, maxLength: 70_000 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.date({ min: new Date(-1e14), max: new Date(1e14) }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 20 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 20 }),
}));

describe('compact MessagePack against msgpackr', () => {
  it('msgpackr reads what the compact writer writes as it reads its own bytes', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(plain(msgpackr.unpack(encode(v)))).toEqual(plain(msgpackr.unpack(msgpackr.pack(v))));
      }),
      { numRuns: 500 },
    );
  });

  it('the compact reader reads msgpackr bytes and its own as msgpackr does', () => {
    fc.assert(
      fc.property(value, (v) => {
        const theirs = msgpackr.pack(v);
        const expected = plain(msgpackr.unpack(theirs));
        expect(plain(decode(theirs))).toEqual(expected);
        expect(plain(decode(encode(v)))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reads Set, Error and RegExp as msgpackr writes them without its extensions', () => {
    const v = { set: new Set([1, 'a']), error: new RangeError('no'), re: /a+b/gi, map: new Map([[1, 2]]) };
    expect(plain(decode(encode(v)))).toEqual(plain(msgpackr.unpack(msgpackr.pack(v))));
    expect(decode(encode(new Date(Number.NaN)))).toEqual(
      msgpackr.unpack(msgpackr.pack(new Date(Number.NaN))),
    );
  });

  it('writes the smallest form of each value', () => {
    const hex = (v: unknown) => Buffer.from(encode(v)).toString('hex');
    expect(hex({ a: 1 })).toBe('81a16101');
    expect(hex(127)).toBe('7f');
    expect(hex(128)).toBe('cc80');
    expect(hex(65_536)).toBe('ce00010000');
    expect(hex(-32)).toBe('e0');
    expect(hex(-33)).toBe('d0df');
    expect(hex(2 ** 32)).toBe('cb41f0000000000000');
    expect(hex(1.5)).toBe('cb3ff8000000000000');
    expect(hex('x'.repeat(31)).slice(0, 2)).toBe('bf');
    expect(hex('x'.repeat(32)).slice(0, 4)).toBe('d920');
    expect(hex(new Uint8Array(3))).toBe('c403000000');
    expect(hex(new Array(16).fill(0)).slice(0, 6)).toBe('dc0010');
    expect(hex(undefined)).toBe('d40000');
    expect(hex(new Date(1000))).toBe('d6ff00000001');
  });
});

describe('compact MessagePack refusals', () => {
  const refusal = (bytes: number[] | Uint8Array): MsgpackErrorCode | undefined => {
    try {
      decode(Uint8Array.from(bytes));
    } catch (err) {
      expect(err).toBeInstanceOf(MsgpackError);
      return (err as MsgpackError).code;
    }
    return undefined;
  };

  it('refuses every cut-short prefix of a value', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encode(v);
        // Every cut in the first 256 bytes, then 64 spread over the rest (long strings run to 200 KB).
        const step = Math.max(1, Math.ceil((bytes.length - 256) / 64));
        for (let n = 0; n < bytes.length; n += n < 256 ? 1 : step) {
          expect(refusal(bytes.subarray(0, n))).toBe('MSGPACK_ERR_TRUNCATED');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('names each cause', () => {
    // After a message larger than the scratch buffer keeps, encoding goes on.
    expect(encode(new Uint8Array(0x20000)).length).toBe(0x20005);
    expect([...encode({ a: 1 })]).toEqual([0x81, 0xa1, 0x61, 0x01]);
    expect(refusal([0x01, 0x02])).toBe('MSGPACK_ERR_TRAILING');
    expect(refusal([0xc1])).toBe('MSGPACK_ERR_RESERVED');
    expect(refusal([0xd4, 0x05, 0x00])).toBe('MSGPACK_ERR_EXTENSION');
    expect(refusal([0x81, 0x90, 0x01])).toBe('MSGPACK_ERR_KEY');
    // A length far past the bytes is refused before anything is allocated.
    expect(refusal([0xdd, 0xff, 0xff, 0xff, 0xff])).toBe('MSGPACK_ERR_TRUNCATED');
    expect(refusal([0xdf, 0xff, 0xff, 0xff, 0xff])).toBe('MSGPACK_ERR_TRUNCATED');
    expect(refusal([0xc6, 0xff, 0xff, 0xff, 0xff])).toBe('MSGPACK_ERR_TRUNCATED');
    expect(() => encode(Symbol('s'))).toThrow(expect.objectContaining({ code: 'MSGPACK_ERR_VALUE' }));
    // Nesting: MAX_DEPTH arrays are read and written, one more is refused, and so is a cycle.
    const nested = (n: number) => [...new Array(n).fill(0x91), 0xc0];
    expect(refusal(nested(MAX_DEPTH))).toBeUndefined();
    expect(refusal(nested(MAX_DEPTH + 1))).toBe('MSGPACK_ERR_DEPTH');
    expect(refusal([...new Array(MAX_DEPTH + 1).fill(0x81), 0xa0, 0xc0])).toBe('MSGPACK_ERR_DEPTH');
    const deep = (n: number): unknown => (n === 0 ? null : [deep(n - 1)]);
    expect([...encode(deep(MAX_DEPTH))]).toEqual(nested(MAX_DEPTH));
    expect(() => encode(deep(MAX_DEPTH + 1))).toThrow(expect.objectContaining({ code: 'MSGPACK_ERR_DEPTH' }));
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encode(cycle)).toThrow(expect.objectContaining({ code: 'MSGPACK_ERR_DEPTH' }));
    expect(() => encode(2n ** 64n)).toThrow(expect.objectContaining({ code: 'MSGPACK_ERR_VALUE' }));
  });
});
