import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Codec } from '../src/codec.js';
import { delimited } from '../src/delimiter.js';
import { FramingError, type FramingErrorCode } from '../src/errors.js';
import { fixedLength } from '../src/fixed-length.js';
import { lengthPrefixed } from '../src/length-prefix.js';
import { lines } from '../src/lines.js';
import { concat, rechunk } from '../src/testing/index.js';

/** Codes a decoder may raise from bytes; anything else (or a non-FramingError) is a bug. */
const DECODE_CODES: FramingErrorCode[] = [
  'FRAMING_ERR_FRAME_TOO_LARGE',
  'FRAMING_ERR_TRUNCATED',
  'FRAMING_ERR_INVALID_LENGTH',
  'FRAMING_ERR_BARE_LF',
];

const MAX = 512;
const codecs: [string, Codec, number][] = [
  ['lengthPrefixed width 1', lengthPrefixed({ width: 1, maxFrameLength: 200 }), 200 + 1],
  ['lengthPrefixed width 2 le', lengthPrefixed({ width: 2, byteOrder: 'le', maxFrameLength: MAX }), MAX + 2],
  ['lengthPrefixed width 4', lengthPrefixed({ width: 4, maxFrameLength: MAX }), MAX + 4],
  ['lengthPrefixed width 8', lengthPrefixed({ width: 8, maxFrameLength: MAX }), MAX + 8],
  ['lengthPrefixed varint', lengthPrefixed({ width: 'varint', maxFrameLength: MAX }), MAX + 8],
  [
    'lengthPrefixed offset 2, adjustment -3',
    lengthPrefixed({ width: 2, lengthOffset: 2, lengthAdjustment: -3, maxFrameLength: MAX }),
    MAX + 4,
  ],
  [
    'lengthPrefixed h2 (3, +6)',
    lengthPrefixed({ width: 3, lengthAdjustment: 6, maxFrameLength: MAX }),
    MAX + 9,
  ],
  [
    'lengthPrefixed discard mode',
    lengthPrefixed({ width: 2, maxFrameLength: 64, oversize: 'discard' }),
    64 + 2,
  ],
  ['delimited \\r\\n', delimited({ delimiter: '\r\n', maxFrameLength: MAX }), MAX + 1],
  [
    'delimited 3 delimiters',
    delimited({ delimiter: ['\r\n', '\n', '\0\0\0'], maxFrameLength: MAX }),
    MAX + 2,
  ],
  ['delimited discard mode', delimited({ delimiter: '\n', maxFrameLength: 16, oversize: 'discard' }), 16],
  ['lines lenient', lines({ maxFrameLength: MAX }), MAX + 1],
  ['lines strict', lines({ strict: true, maxFrameLength: MAX }), MAX + 1],
  ['fixedLength(5)', fixedLength(5), 5],
];

function feedAll(codec: Codec, chunks: Uint8Array[], bound: number): number {
  const d = codec.decoder();
  let frames = 0;
  try {
    for (const c of chunks) {
      frames += d.push(c).length;
      expect(d.buffered).toBeLessThanOrEqual(bound);
    }
    d.end();
  } catch (err) {
    if (!(err instanceof FramingError)) throw err;
    expect(DECODE_CODES).toContain(err.code);
    // A failed decoder keeps failing with the same code and holds nothing.
    expect(d.buffered).toBe(0);
    expect(() => d.push(new Uint8Array(1))).toThrow(FramingError);
  }
  return frames;
}

describe('fuzz: random bytes into every decoder give only FramingError codes, bounded memory', () => {
  for (const [name, codec, bound] of codecs) {
    it(name, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 3000 }).chain((b) => rechunk(b, { maxSplits: 32 })),
          (chunks) => {
            feedAll(codec, chunks, bound);
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});

describe('fuzz: mutated valid streams', () => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  );
  for (const [name, codec, bound] of codecs) {
    it(name, () => {
      const payloads = fc
        .uint8Array({ maxLength: 100 })
        .map((p) => p.map((b) => (b === 0x0a || b === 0 ? 0x20 : b)));
      const fit = (p: Uint8Array) => (name.startsWith('fixed') ? new Uint8Array(5).fill(p[0] ?? 1) : p);
      fc.assert(
        fc.property(
          fc.array(payloads, { maxLength: 6 }),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          (list, muts) => {
            const bytes = Array.from(concat(list.map((p) => codec.encode(fit(p)))));
            for (const m of muts) {
              const at = bytes.length === 0 ? 0 : m.at % bytes.length;
              if (m.kind === 'flip' && bytes.length > 0) bytes[at] = bytes[at]! ^ (1 << m.bit);
              else if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
              else if (m.kind === 'delete') bytes.splice(at, 1);
            }
            const stream = Uint8Array.from(bytes);
            feedAll(codec, [stream], bound);
            feedAll(
              codec,
              Array.from(stream, (_, i) => stream.subarray(i, i + 1)),
              bound,
            );
          },
        ),
        { numRuns: 200 },
      );
    });
  }

  it('a header claiming the maximum length, then a trickle, holds only what arrived', () => {
    const codec = lengthPrefixed({ width: 4, maxFrameLength: 1 << 20 });
    const d = codec.decoder();
    d.push(Uint8Array.of(0x00, 0x10, 0x00, 0x00));
    for (let i = 0; i < 100; i++) d.push(new Uint8Array(10));
    expect(d.buffered).toBe(4 + 1000);
  });
});
