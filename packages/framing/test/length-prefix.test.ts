import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FramingError, FramingUsageError } from '../src/errors.js';
import { type LengthPrefixedOptions, lengthPrefixed } from '../src/length-prefix.js';
import { codecLaws } from '../src/testing/index.js';
import { bytes, expectBytes, expectCode, hex, text, threeWays } from './helpers.js';

const HELLO = bytes('HELLO, WORLD'); // 12 bytes, as in Netty's javadoc

describe('lengthPrefixed: golden layouts from Netty LengthFieldBasedFrameDecoder javadoc', () => {
  it('2-byte length at offset 0, header kept / stripped', () => {
    const frame = hex('000C 48454C4C4F2C20574F524C44');
    const keep = lengthPrefixed({ width: 2, stripHeader: false });
    threeWays(keep, frame, [frame], hex('00'));
    expectBytes(keep.encode(HELLO), frame);
    const strip = lengthPrefixed({ width: 2 });
    threeWays(strip, frame, [HELLO], hex('00 0C 48'));
  });

  it('2-byte length counting the whole message (lengthAdjustment -2)', () => {
    const frame = hex('000E 48454C4C4F2C20574F524C44');
    const codec = lengthPrefixed({ width: 2, lengthAdjustment: -2, stripHeader: false });
    threeWays(codec, frame, [frame], hex('00'));
    expectBytes(codec.encode(HELLO), frame);
    threeWays(lengthPrefixed({ width: 2, lengthAdjustment: -2 }), frame, [HELLO], hex('00 0E'));
  });

  it('3-byte length at the end of a 5-byte header (lengthOffset 2)', () => {
    const frame = hex('CAFE 00000C 48454C4C4F2C20574F524C44');
    const codec = lengthPrefixed({ width: 3, lengthOffset: 2, stripHeader: false });
    threeWays(codec, frame, [frame], hex('CA FE 00'));
    expectBytes(codec.encode(HELLO, hex('CAFE')), frame);
    threeWays(lengthPrefixed({ width: 3, lengthOffset: 2 }), frame, [HELLO], hex('CA'));
  });

  it('3-byte length at the start of a 5-byte header (lengthAdjustment 2)', () => {
    const frame = hex('00000C CAFE 48454C4C4F2C20574F524C44');
    const codec = lengthPrefixed({ width: 3, lengthAdjustment: 2, stripHeader: false });
    threeWays(codec, frame, [frame], hex('00 00 0C CA FE'));
    expectBytes(codec.encode(HELLO, hex('CAFE')), frame);
    threeWays(lengthPrefixed({ width: 3, lengthAdjustment: 2 }), frame, [HELLO], hex('00'));
  });

  it('2-byte length at offset 1 in a 4-byte header (offset 1, adjustment 1)', () => {
    const frame = hex('CA 000C FE 48454C4C4F2C20574F524C44');
    const codec = lengthPrefixed({ width: 2, lengthOffset: 1, lengthAdjustment: 1, stripHeader: false });
    threeWays(codec, frame, [frame], hex('CA 00'));
    expectBytes(codec.encode(HELLO, hex('CA FE')), frame);
    // Netty's initialBytesToStrip=3 output (HDR2 + content) is the whole frame from byte 3.
    expectBytes(codec.decoder().push(frame)[0]!.subarray(3), hex('FE 48454C4C4F2C20574F524C44'));
    threeWays(lengthPrefixed({ width: 2, lengthOffset: 1, lengthAdjustment: 1 }), frame, [HELLO], hex('CA'));
  });

  it('2-byte whole-message length at offset 1 (offset 1, adjustment -3)', () => {
    const frame = hex('CA 0010 FE 48454C4C4F2C20574F524C44');
    const codec = lengthPrefixed({ width: 2, lengthOffset: 1, lengthAdjustment: -3 });
    // The payload is everything after the length field: HDR2 + content, Netty's strip-3 output.
    threeWays(codec, frame, [hex('FE 48454C4C4F2C20574F524C44')], hex('CA 00 10'));
    expectBytes(codec.encode(hex('FE 48454C4C4F2C20574F524C44'), hex('CA')), frame);
  });

  it('an HTTP/2 frame header is width 3 with adjustment 6 (RFC 9113 §4.1)', () => {
    // SETTINGS ACK (type 4, flag ACK, stream 0) and PING with 8 opaque bytes.
    const settingsAck = hex('000000 04 01 00000000');
    const ping = hex('000008 06 00 00000000 0102030405060708');
    const h2 = lengthPrefixed({ width: 3, lengthAdjustment: 6, stripHeader: false, maxFrameLength: 16384 });
    const both = new Uint8Array([...settingsAck, ...ping]);
    threeWays(h2, both, [settingsAck, ping], hex('00 00'));
    expectBytes(h2.encode(hex('0102030405060708'), hex('06 00 00000000')), ping);
  });
});

describe('lengthPrefixed: widths and byte orders', () => {
  const cases: LengthPrefixedOptions[] = [
    { width: 1 },
    { width: 2 },
    { width: 2, byteOrder: 'le' },
    { width: 3 },
    { width: 3, byteOrder: 'le' },
    { width: 4 },
    { width: 4, byteOrder: 'le' },
    { width: 8 },
    { width: 8, byteOrder: 'le' },
    { width: 'varint' },
  ];
  for (const options of cases) {
    it(`${JSON.stringify(options)} writes the length where expected`, () => {
      const codec = lengthPrefixed(options);
      const payload = new Uint8Array(0x81).fill(7);
      const frame = codec.encode(payload);
      const w = options.width === 'varint' ? 2 : (options.width as number);
      expect(frame.length).toBe(w + 0x81);
      const field = Array.from(frame.subarray(0, w));
      const expected =
        options.width === 'varint'
          ? [0x81, 0x01]
          : options.byteOrder === 'le'
            ? [0x81, ...new Array(w - 1).fill(0)]
            : [...new Array(w - 1).fill(0), 0x81];
      expect(field).toEqual(expected);
      threeWays(codec, frame, [payload], frame.subarray(0, 1));
    });
  }

  it('reads 64-bit lengths beyond 32 bits as too large, not wrapped', () => {
    const codec = lengthPrefixed({ width: 8 });
    expectCode(() => codec.decoder().push(hex('00000001 00000000')), 'FRAMING_ERR_FRAME_TOO_LARGE');
    expectCode(() => codec.decoder().push(hex('FFFFFFFF FFFFFFFF')), 'FRAMING_ERR_FRAME_TOO_LARGE');
  });
});

describe('lengthPrefixed: limits and errors', () => {
  it('raises FRAME_TOO_LARGE from the header alone, before any payload arrives', () => {
    const codec = lengthPrefixed({ width: 4, maxFrameLength: 1024 });
    const d = codec.decoder();
    expect(d.push(hex('00 00'))).toEqual([]);
    expectCode(() => d.push(hex('04 01')), 'FRAMING_ERR_FRAME_TOO_LARGE');
    expect(d.buffered).toBe(0);
  });

  it('raises FRAME_TOO_LARGE from a varint before it ends', () => {
    const codec = lengthPrefixed({ width: 'varint', maxFrameLength: 1000 });
    const d = codec.decoder();
    expect(d.push(hex('80'))).toEqual([]);
    expectCode(() => d.push(hex('80')), 'FRAMING_ERR_FRAME_TOO_LARGE');
  });

  it('a varint split after any byte decodes the same (the Netty desync)', () => {
    const codec = lengthPrefixed({ width: 'varint', maxFrameLength: 2 ** 24 });
    const payload = new Uint8Array(2 ** 21 + 5).fill(3); // a 4-byte varint
    const frame = codec.encode(payload);
    for (let split = 1; split <= 5; split++) {
      const d = codec.decoder();
      const out = [...d.push(frame.subarray(0, split)), ...d.push(frame.subarray(split))];
      expect(out).toHaveLength(1);
      expect(out[0]!.length).toBe(payload.length);
    }
  });

  it('rejects non-minimal varints and negative adjusted lengths with INVALID_LENGTH', () => {
    expectCode(
      () => lengthPrefixed({ width: 'varint' }).decoder().push(hex('80 00')),
      'FRAMING_ERR_INVALID_LENGTH',
    );
    expectCode(
      () => lengthPrefixed({ width: 2, lengthAdjustment: -2 }).decoder().push(hex('00 01')),
      'FRAMING_ERR_INVALID_LENGTH',
    );
  });

  it('returns the frames before an error on err.frames, then stays failed', () => {
    const codec = lengthPrefixed({ width: 1, maxFrameLength: 4 });
    const d = codec.decoder();
    let err: unknown;
    try {
      d.push(hex('01 61 02 62 63 09'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FramingError);
    expect((err as FramingError).code).toBe('FRAMING_ERR_FRAME_TOO_LARGE');
    expect((err as FramingError).frames.map(text)).toEqual(['a', 'bc']);
    expectCode(() => d.push(hex('01 61')), 'FRAMING_ERR_FRAME_TOO_LARGE');
    expectCode(() => d.end(), 'FRAMING_ERR_FRAME_TOO_LARGE');
  });

  it('end() reports a partial header or payload as TRUNCATED', () => {
    const codec = lengthPrefixed({ width: 4 });
    const a = codec.decoder();
    a.push(hex('00 00'));
    expectCode(() => a.end(), 'FRAMING_ERR_TRUNCATED');
    const b = codec.decoder();
    b.push(hex('00 00 00 05 61'));
    expect(b.buffered).toBe(5);
    expectCode(() => b.end(), 'FRAMING_ERR_TRUNCATED');
  });

  it('discard mode drops an oversize frame without buffering it and resynchronises', () => {
    const discarded: number[] = [];
    const codec = lengthPrefixed({
      width: 2,
      maxFrameLength: 8,
      oversize: 'discard',
      onDiscard: (n) => discarded.push(n),
    });
    const big = lengthPrefixed({ width: 2 }).encode(new Uint8Array(100).fill(9));
    const small = codec.encode(bytes('ok'));
    const stream = new Uint8Array([...small, ...big, ...small]);
    for (const step of [1, 3, 7, 50, stream.length]) {
      discarded.length = 0;
      const d = codec.decoder();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += step) {
        out.push(...d.push(stream.subarray(i, i + step)).map(text));
        expect(d.buffered).toBeLessThanOrEqual(8 + 2);
      }
      expect(out).toEqual(['ok', 'ok']);
      expect(discarded).toEqual([100]);
      d.end();
    }
  });

  it('encode refuses payloads over maxFrameLength or the field width, and bad extra headers', () => {
    expectCode(
      () => lengthPrefixed({ maxFrameLength: 3 }).encode(new Uint8Array(4)),
      'FRAMING_ERR_FRAME_TOO_LARGE',
    );
    expectCode(() => lengthPrefixed({ width: 1 }).encode(new Uint8Array(256)), 'FRAMING_ERR_FRAME_TOO_LARGE');
    expect(() => lengthPrefixed({ width: 1 }).encode(new Uint8Array(255))).not.toThrow();
    expectCode(
      () => lengthPrefixed({ width: 2, lengthOffset: 1 }).encode(new Uint8Array(1), new Uint8Array(2)),
      'FRAMING_ERR_INVALID_PAYLOAD',
    );
    let thrown: unknown;
    try {
      lengthPrefixed({ maxFrameLength: 3 }).encode(new Uint8Array(4));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FramingUsageError);
  });

  it('validates options with INVALID_OPTION', () => {
    expectCode(() => lengthPrefixed({ width: 5 as 4 }), 'FRAMING_ERR_INVALID_OPTION');
    expectCode(() => lengthPrefixed({ byteOrder: 'xx' as 'be' }), 'FRAMING_ERR_INVALID_OPTION');
    expectCode(() => lengthPrefixed({ maxFrameLength: -1 }), 'FRAMING_ERR_INVALID_OPTION');
    expectCode(() => lengthPrefixed({ maxFrameLength: 2 ** 40 }), 'FRAMING_ERR_INVALID_OPTION');
    expectCode(() => lengthPrefixed({ lengthOffset: 1.5 }), 'FRAMING_ERR_INVALID_OPTION');
    expectCode(() => lengthPrefixed({ oversize: 'drop' as 'error' }), 'FRAMING_ERR_INVALID_OPTION');
  });

  it('a frame inside one chunk is a subarray of it (zero copy)', () => {
    const codec = lengthPrefixed({ width: 4 });
    const chunk = new Uint8Array([...codec.encode(bytes('abc')), ...codec.encode(bytes('de'))]);
    const [a, b] = codec.decoder().push(chunk);
    expect(a!.buffer).toBe(chunk.buffer);
    expect(b!.buffer).toBe(chunk.buffer);
  });
});

describe('lengthPrefixed: codec laws', () => {
  const configs: [LengthPrefixedOptions, number][] = [
    [{ width: 1, maxFrameLength: 200 }, 200],
    [{ width: 2, byteOrder: 'le', maxFrameLength: 300 }, 300],
    [{ width: 3, lengthAdjustment: 6, maxFrameLength: 300 }, 300],
    [{ width: 4, maxFrameLength: 300 }, 300],
    [{ width: 8, byteOrder: 'le', maxFrameLength: 300 }, 300],
    [{ width: 'varint', maxFrameLength: 300 }, 300],
    [{ width: 2, lengthOffset: 3, lengthAdjustment: -5, maxFrameLength: 300 }, 300],
  ];
  for (const [options, max] of configs) {
    const codec = lengthPrefixed(options);
    const peer = lengthPrefixed({ ...options, maxFrameLength: 4096 });
    const peerMax = options.width === 1 ? 255 : max + 600;
    const laws = codecLaws(codec, fc.uint8Array({ maxLength: max }), {
      maxOverhead: 32,
      params: { numRuns: 150 },
      oversize: {
        payloads: fc.uint8Array({ minLength: max + 1, maxLength: peerMax }),
        encode: (p) => peer.encode(p),
      },
    });
    for (const law of laws) it(law.name, () => law.check());
  }

  const whole = lengthPrefixed({ width: 3, lengthAdjustment: 6, stripHeader: false });
  for (const law of codecLaws(whole, fc.uint8Array({ maxLength: 100 }), {
    expected: (p) => whole.encode(p),
    params: { numRuns: 100 },
  })) {
    it(`whole frames: ${law.name}`, () => law.check());
  }
});

describe('lengthPrefixed: writeHeader', () => {
  const layouts: LengthPrefixedOptions[] = [
    { width: 4 },
    { width: 2, byteOrder: 'le' },
    { width: 'varint' },
    { width: 4, lengthOffset: 1 },
    { width: 2, lengthOffset: 2, lengthAdjustment: 3 },
    { width: 3, lengthAdjustment: -3 },
  ];
  for (const options of layouts) {
    it(`a header written in place, then the payload, is encode()'s frame: ${JSON.stringify(options)}`, () => {
      const codec = lengthPrefixed({ ...options, maxFrameLength: 1 << 16 });
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 2000 }),
          fc.uint8Array({ minLength: codec.extraHeaderLength, maxLength: codec.extraHeaderLength }),
          fc.nat(8),
          (payload, extra, at) => {
            const out = new Uint8Array(at + codec.headerLength(payload.length) + payload.length).fill(0xee);
            const end = codec.writeHeader(payload.length, out, at, extra);
            expect(end).toBe(at + codec.headerLength(payload.length));
            out.set(payload, end);
            expectBytes(out.subarray(at), codec.encode(payload, extra));
            // Without an extra header, its bytes are zeros (not what the buffer held).
            const plain = new Uint8Array(codec.headerLength(payload.length)).fill(0xee);
            codec.writeHeader(payload.length, plain, 0);
            expectBytes(plain, codec.encodeParts(payload)[0]!);
          },
        ),
      );
    });
  }

  it('refuses a length past the limit, as encode does', () => {
    const codec = lengthPrefixed({ width: 2, maxFrameLength: 100 });
    expectCode(() => codec.writeHeader(101, new Uint8Array(2), 0), 'FRAMING_ERR_FRAME_TOO_LARGE');
  });
});
