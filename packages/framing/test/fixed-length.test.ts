import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedLength } from '../src/fixed-length.js';
import { codecLaws } from '../src/testing/index.js';
import { bytes, expectCode, threeWays } from './helpers.js';

describe('fixedLength', () => {
  it('cuts the stream every size bytes', () => {
    threeWays(fixedLength(3), bytes('abcdefghi'), [bytes('abc'), bytes('def'), bytes('ghi')], bytes('jk'));
  });

  it('checks the payload size on encode and the size option', () => {
    expectCode(() => fixedLength(3).encode(bytes('ab')), 'FRAMING_ERR_INVALID_PAYLOAD');
    expectCode(() => fixedLength(0), 'FRAMING_ERR_INVALID_OPTION');
    expectCode(() => fixedLength(1.5), 'FRAMING_ERR_INVALID_OPTION');
  });

  it('the truncation law refuses to pass vacuously when no frame can be cut', () => {
    const law = codecLaws(fixedLength(1), fc.uint8Array({ minLength: 1, maxLength: 1 })).find((l) =>
      l.name.includes('truncation'),
    );
    expect(() => law!.check({ numRuns: 10 })).toThrow();
  });

  it('returns subarrays within a chunk', () => {
    const chunk = bytes('abcdef');
    expect(
      fixedLength(2)
        .decoder()
        .push(chunk)
        .every((f) => f.buffer === chunk.buffer),
    ).toBe(true);
  });

  for (const size of [1, 7, 64]) {
    const laws = codecLaws(fixedLength(size), fc.uint8Array({ minLength: size, maxLength: size }), {
      params: { numRuns: 100 },
    });
    for (const law of laws) {
      // With size 1 every byte is a whole frame: no stream can end inside one.
      if (size === 1 && law.name.includes('truncation')) continue;
      it(law.name, () => law.check());
    }
  }
});
