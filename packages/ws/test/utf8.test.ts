import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidUtf8, Utf8Validator } from '../src/utf8.js';

const strict = new TextDecoder('utf-8', { fatal: true });
const reference = (b: Uint8Array) => {
  try {
    strict.decode(b);
    return true;
  } catch {
    return false;
  }
};

describe('UTF-8 validation', () => {
  it('agrees with a fatal TextDecoder on arbitrary bytes and on valid strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(isValidUtf8(b)).toBe(reference(b));
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (s) => {
        expect(isValidUtf8(Buffer.from(s))).toBe(true);
      }),
    );
  });

  it('rejects overlongs, surrogates and code points above U+10FFFF (Autobahn 6.x style)', () => {
    for (const bad of [
      'c0 80',
      'e0 80 80',
      'ed a0 80',
      'f0 80 80 80',
      'f4 90 80 80',
      'f5 80 80 80',
      'ff',
      '80',
    ]) {
      expect(isValidUtf8(Buffer.from(bad.replace(/ /g, ''), 'hex'))).toBe(false);
    }
    for (const good of ['7f', 'c2 80', 'ed 9f bf', 'ee 80 80', 'f0 90 80 80', 'f4 8f bf bf']) {
      expect(isValidUtf8(Buffer.from(good.replace(/ /g, ''), 'hex'))).toBe(true);
    }
  });

  it('streams across fragments, and fails in the fragment that is invalid', () => {
    const euro = Buffer.from('€'); // e2 82 ac
    const v = new Utf8Validator();
    expect(v.push(euro.subarray(0, 1))).toBe(true);
    expect(v.push(euro.subarray(1, 2))).toBe(true);
    expect(v.push(euro.subarray(2))).toBe(true);
    expect(v.end()).toBe(true);
    expect(v.push(Buffer.from('ok'))).toBe(true);
    expect(v.push(Buffer.from([0xe2, 0x28]))).toBe(false);
    const cut = new Utf8Validator();
    expect(cut.push(euro.subarray(0, 2))).toBe(true);
    expect(cut.end()).toBe(false);
  });
});
