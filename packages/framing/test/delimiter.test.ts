import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { delimited } from '../src/delimiter.js';
import { codecLaws } from '../src/testing/index.js';
import { bytes, decodeChunks, expectBytes, expectCode, text, threeWays } from './helpers.js';

const texts = (frames: Uint8Array[]) => frames.map(text);

describe('delimited: single delimiter', () => {
  it('splits on the delimiter, whole, byte by byte and with trailing bytes', () => {
    const codec = delimited({ delimiter: '\r\n' });
    threeWays(
      codec,
      bytes('GET / HTTP/1.1\r\nHost: a\r\n\r\n'),
      ['GET / HTTP/1.1', 'Host: a', ''].map(bytes),
      bytes('Acc'),
    );
  });

  it('keeps the delimiter when stripDelimiter is false', () => {
    const codec = delimited({ delimiter: '\0', stripDelimiter: false });
    threeWays(codec, bytes('a\0bc\0'), [bytes('a\0'), bytes('bc\0')], bytes('x'));
  });

  it('finds a multi-byte delimiter split across chunks at every point', () => {
    const codec = delimited({ delimiter: '<END>' });
    const input = bytes('one<END>two<EN<END>');
    for (let a = 0; a <= input.length; a++) {
      for (let b = a; b <= input.length; b++) {
        const r = decodeChunks(codec, [input.subarray(0, a), input.subarray(a, b), input.subarray(b)]);
        expect(texts(r.frames)).toEqual(['one', 'two<EN']);
        expect(r.buffered).toBe(0);
      }
    }
  });

  it('handles self-overlapping delimiters (aab in aaab)', () => {
    const codec = delimited({ delimiter: 'aab' });
    threeWays(codec, bytes('xaaabyaab'), [bytes('xa'), bytes('y')], bytes('aa'));
  });

  it('a frame inside a chunk is a subarray of it', () => {
    const chunk = bytes('ab\ncd\n');
    const [a, b] = delimited({ delimiter: '\n' }).decoder().push(chunk);
    expect(a!.buffer).toBe(chunk.buffer);
    expect(b!.buffer).toBe(chunk.buffer);
  });
});

describe('delimited: several delimiters (the shortest frame wins)', () => {
  it('prefers the earliest delimiter, and the longest one at the same start', () => {
    const codec = delimited({ delimiter: ['\r\n', '\n'] });
    threeWays(codec, bytes('abc\r\ndef\nghi\r\n'), ['abc', 'def', 'ghi'].map(bytes), bytes('j\r'));
  });

  it('waits when a longer delimiter could still complete across chunks', () => {
    // Netty's example: with "\n" and "\r\n", "ABC\r\n" must yield "ABC", not "ABC\r".
    const codec = delimited({ delimiter: ['\r\n', '\r', '\n'] });
    const d = codec.decoder();
    expect(d.push(bytes('ABC\r'))).toEqual([]);
    expect(texts(d.push(bytes('\nDEF\r')))).toEqual(['ABC']);
    expect(texts(d.push(bytes('X')))).toEqual(['DEF']);
    expect(d.buffered).toBe(1);
  });

  it('resolves a wait inside the held tail and keeps the bytes after it', () => {
    // 'ab' is complete at 0, but 'abcd' might still match: wait. 'cx' then straddles the next chunk.
    const codec = delimited({ delimiter: ['cx', 'ab', 'a', 'abcd'] });
    const d = codec.decoder();
    expect(d.push(bytes('abc'))).toEqual([]);
    expect(texts(d.push(bytes('xq')))).toEqual(['', '']);
    expect(d.buffered).toBe(1);
  });

  it('rejects an encoding delimiter that is a proper prefix of another', () => {
    expectCode(() => delimited({ delimiter: ['\r', '\r\n'] }), 'FRAMING_ERR_INVALID_OPTION');
    expect(() => delimited({ delimiter: ['\r\n', '\r'] })).not.toThrow();
  });

  it('validates delimiters', () => {
    expectCode(() => delimited({ delimiter: '' }), 'FRAMING_ERR_INVALID_OPTION');
    expectCode(() => delimited({ delimiter: [] }), 'FRAMING_ERR_INVALID_OPTION');
    expectCode(() => delimited({ delimiter: 'x'.repeat(65) }), 'FRAMING_ERR_INVALID_OPTION');
    expectCode(
      () => delimited({ delimiter: Array.from({ length: 17 }, (_, i) => String(i)) }),
      'FRAMING_ERR_INVALID_OPTION',
    );
  });
});

describe('delimited: encode', () => {
  it('appends the first delimiter and refuses payloads that contain a delimiter', () => {
    const codec = delimited({ delimiter: ['\r\n', '\n'] });
    expectBytes(codec.encode(bytes('hi')), bytes('hi\r\n'));
    expectCode(() => codec.encode(bytes('a\nb')), 'FRAMING_ERR_INVALID_PAYLOAD');
    expectCode(() => codec.encode(bytes('a\r\nb')), 'FRAMING_ERR_INVALID_PAYLOAD');
  });

  it('refuses a payload whose last bytes form a delimiter with the appended one', () => {
    const codec = delimited({ delimiter: 'aa' });
    expectCode(() => codec.encode(bytes('xa')), 'FRAMING_ERR_INVALID_PAYLOAD');
    expectBytes(codec.encode(bytes('ax')), bytes('axaa'));
  });

  it('refuses payloads over maxFrameLength', () => {
    expectCode(
      () => delimited({ delimiter: '\n', maxFrameLength: 2 }).encode(bytes('abc')),
      'FRAMING_ERR_FRAME_TOO_LARGE',
    );
  });
});

describe('delimited: limits', () => {
  it('fails as soon as unterminated bytes exceed the limit, holding no more than limit + delimiter - 1', () => {
    const codec = delimited({ delimiter: '\r\n', maxFrameLength: 10 });
    const d = codec.decoder();
    expect(d.push(bytes('0123456789'))).toEqual([]);
    expect(d.push(bytes('\r'))).toEqual([]);
    expect(d.buffered).toBe(11);
    expectCode(() => d.push(bytes('x')), 'FRAMING_ERR_FRAME_TOO_LARGE');
    expect(d.buffered).toBe(0);
  });

  it('rejects a complete frame over the limit found inside one chunk', () => {
    const codec = delimited({ delimiter: '\n', maxFrameLength: 3 });
    let err: unknown;
    try {
      codec.decoder().push(bytes('ok\ntoolong\nok\n'));
    } catch (e) {
      err = e;
    }
    expect((err as { code: string }).code).toBe('FRAMING_ERR_FRAME_TOO_LARGE');
    expect(texts((err as { frames: Uint8Array[] }).frames)).toEqual(['ok']);
  });

  it('discard mode drops an overlong line without holding it and resynchronises at the next delimiter', () => {
    const dropped: number[] = [];
    const codec = delimited({
      delimiter: '\r\n',
      maxFrameLength: 4,
      oversize: 'discard',
      onDiscard: (n) => dropped.push(n),
    });
    const input = bytes('ok\r\nthis line is too long\r\nfine\r\n');
    for (const step of [1, 2, 3, 5, input.length]) {
      dropped.length = 0;
      const d = codec.decoder();
      const out: string[] = [];
      for (let i = 0; i < input.length; i += step) {
        out.push(...texts(d.push(input.subarray(i, i + step))));
        expect(d.buffered).toBeLessThanOrEqual(5);
      }
      expect(out).toEqual(['ok', 'fine']);
      expect(dropped).toHaveLength(1);
      expect(dropped[0]).toBeGreaterThanOrEqual(5);
      d.end();
    }
  });

  it('scans in linear time: a 4 MiB unterminated line fed in 1 KiB chunks is scanned once', () => {
    const codec = delimited({ delimiter: '\r\n', maxFrameLength: 8 << 20 });
    const d = codec.decoder();
    const chunk = new Uint8Array(1024).fill(0x61);
    let calls = 0;
    const original = Uint8Array.prototype.indexOf;
    // Count bytes examined by indexOf: a quadratic rescan would examine ~2^31 bytes, linear ~2^22.
    let examined = 0;
    Uint8Array.prototype.indexOf = function (this: Uint8Array, v: number, from?: number) {
      calls++;
      const r = original.call(this, v, from);
      examined += (r < 0 ? this.length : r + 1) - (from ?? 0);
      return r;
    };
    try {
      for (let i = 0; i < 4096; i++) d.push(chunk);
      expect(d.push(bytes('\r\n'))).toHaveLength(1);
    } finally {
      Uint8Array.prototype.indexOf = original;
    }
    expect(calls).toBeGreaterThan(0);
    expect(examined).toBeLessThan(3 * 4096 * 1024);
  });
});

describe('delimited: codec laws', () => {
  const noDelimiter = (bad: number[]) =>
    fc.uint8Array({ maxLength: 200 }).map((p) => p.map((b) => (bad.includes(b) ? 0x20 : b)));
  const cases = [
    { options: { delimiter: '\n' }, payloads: noDelimiter([0x0a]) },
    { options: { delimiter: '\r\n' }, payloads: noDelimiter([0x0d, 0x0a]) },
    { options: { delimiter: ['\r\n', '\n'] }, payloads: noDelimiter([0x0d, 0x0a]) },
    { options: { delimiter: '\0', stripDelimiter: false }, payloads: noDelimiter([0]), keep: true },
    {
      options: { delimiter: 'XYZ' },
      payloads: fc
        .array(fc.constantFrom(...bytes('XYab')), { maxLength: 60 })
        .map((a) => Uint8Array.from(a))
        .filter((p) => !text(p).includes('XYZ') && !text(p).endsWith('XY') && !text(p).endsWith('X')),
    },
  ];
  for (const { options, payloads, keep } of cases) {
    const codec = delimited({ ...options, maxFrameLength: 200 });
    const peer = delimited({ ...options, maxFrameLength: 4096 });
    const laws = codecLaws(codec, payloads, {
      params: { numRuns: 150 },
      ...(keep ? { expected: (p: Uint8Array) => codec.encode(p) } : {}),
      oversize: {
        payloads: noDelimiter([0, 0x0a, 0x0d, 0x58]).map(
          (p) => new Uint8Array([...p, ...new Uint8Array(201).fill(0x41)]),
        ),
        encode: (p) => peer.encode(p),
      },
    });
    for (const law of laws) it(law.name, () => law.check());
  }
});
