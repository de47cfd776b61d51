/**
 * The testing kit used the way a user would: a codec this test defines itself (netstrings, as
 * https://cr.yp.to/proto/netstrings.txt describes: "12:hello world!,"), checked by codecLaws.
 * Then deliberately broken codecs, to show each law can fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecLaws, rechunk, type TestableCodec } from '../../src/testing/index.js';

class NetstringError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A small netstring codec: decimal length, ':', payload, ','. */
function netstrings(maxFrameLength = 1000): TestableCodec {
  const maxDigits = String(maxFrameLength).length;
  return {
    name: 'netstring',
    maxFrameLength,
    encode(payload) {
      if (payload.length > maxFrameLength)
        throw new NetstringError('FRAMING_ERR_FRAME_TOO_LARGE', 'too long');
      const head = new TextEncoder().encode(`${payload.length}:`);
      const out = new Uint8Array(head.length + payload.length + 1);
      out.set(head);
      out.set(payload, head.length);
      out[out.length - 1] = 0x2c;
      return out;
    },
    decoder() {
      let buf = new Uint8Array(0);
      return {
        get buffered() {
          return buf.length;
        },
        push(chunk: Uint8Array) {
          const next = new Uint8Array(buf.length + chunk.length);
          next.set(buf);
          next.set(chunk, buf.length);
          buf = next;
          const frames: Uint8Array[] = [];
          for (;;) {
            const colon = buf.indexOf(0x3a);
            if (colon < 0) {
              if (buf.length > maxDigits)
                throw new NetstringError('FRAMING_ERR_FRAME_TOO_LARGE', 'length too long');
              return frames;
            }
            const len = Number(new TextDecoder().decode(buf.subarray(0, colon)));
            if (!Number.isInteger(len) || colon === 0) throw new NetstringError('BAD', 'bad length');
            if (len > maxFrameLength) throw new NetstringError('FRAMING_ERR_FRAME_TOO_LARGE', 'too long');
            if (buf.length < colon + 1 + len + 1) return frames;
            if (buf[colon + 1 + len] !== 0x2c) throw new NetstringError('BAD', 'missing comma');
            frames.push(buf.slice(colon + 1, colon + 1 + len));
            buf = buf.slice(colon + 2 + len);
          }
        },
        end() {
          if (buf.length > 0) throw new NetstringError('FRAMING_ERR_TRUNCATED', 'truncated');
        },
      };
    },
  };
}

describe('codecLaws on a user-defined netstring codec', () => {
  const codec = netstrings(300);
  const laws = codecLaws(codec, fc.uint8Array({ maxLength: 300 }), {
    params: { numRuns: 100 },
    oversize: {
      payloads: fc.uint8Array({ minLength: 301, maxLength: 400 }),
      encode: (p) => netstrings(1000).encode(p),
    },
  });
  for (const law of laws) it(law.name, () => law.check());
});

/** The message of the law's own failure, unwrapped from fast-check's report. */
function lawFailure(run: () => void): string {
  try {
    run();
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : String(err);
  }
  return 'no failure';
}

describe('codecLaws catches broken codecs', () => {
  const findLaw = (codec: TestableCodec, fragment: string, options = {}) => {
    const law = codecLaws(codec, fc.uint8Array({ maxLength: 50 }), options).find((l) =>
      l.name.includes(fragment),
    );
    if (law === undefined) throw new Error(`no law matching ${fragment}`);
    return law;
  };

  type Decoder = ReturnType<TestableCodec['decoder']>;
  /** `codec` with each decoder wrapped: `wrap` gets a getter for the current inner decoder and a way to replace it. */
  const broken = (
    codec: TestableCodec,
    wrap: (inner: () => Decoder, reset: () => void) => Partial<Pick<Decoder, 'push' | 'end'>>,
    inner: () => Decoder = () => codec.decoder(),
  ): TestableCodec => ({
    ...codec,
    decoder() {
      let d = inner();
      const over = wrap(
        () => d,
        () => {
          d = inner();
        },
      );
      return {
        get buffered() {
          return d.buffered;
        },
        push: over.push ?? ((c) => d.push(c)),
        end: over.end ?? (() => d.end()),
      };
    },
  });

  it('a decoder that loses the last frame of a chunk fails "any sequence"', () => {
    const lossy = broken(netstrings(), (d) => ({ push: (c) => d().push(c).slice(0, -1) }));
    expect(lawFailure(() => findLaw(lossy, 'any sequence').check({ numRuns: 200 }))).toMatch(
      /frames|expected/,
    );
  });

  it('a decoder that cannot resume a split header fails under rechunking', () => {
    // Forgets buffered bytes when a chunk ends inside the length digits.
    const forgetful = broken(netstrings(), (d, reset) => ({
      push(c) {
        const out = d().push(c);
        if (d().buffered > 0 && d().buffered < 3) reset();
        return out;
      },
    }));
    // Caught either by a wrong frame list or by the codec's own error on the desynchronised bytes.
    expect(lawFailure(() => findLaw(forgetful, 'any sequence').check({ numRuns: 300 }))).not.toBe(
      'no failure',
    );
  });

  it('an end() that ignores a partial frame fails "truncation"', () => {
    const lenient = broken(netstrings(), () => ({ end() {} }));
    expect(lawFailure(() => findLaw(lenient, 'truncation').check({ numRuns: 100 }))).toMatch(
      /accepted a stream cut/,
    );
  });

  it('a decoder that buffers an oversize frame before rejecting it fails "oversize"', () => {
    // Limit 20, but the length is checked only once the whole frame has arrived.
    const greedy = broken(
      netstrings(20),
      (d) => ({
        push(c) {
          const out = d().push(c);
          if (out.some((f) => f.length > 20)) throw new NetstringError('FRAMING_ERR_FRAME_TOO_LARGE', 'late');
          return out;
        },
      }),
      () => netstrings(10_000).decoder(),
    );
    const law = findLaw(greedy, 'oversize', {
      oversize: {
        payloads: fc.uint8Array({ minLength: 100, maxLength: 200 }),
        encode: (p: Uint8Array) => netstrings(1000).encode(p),
      },
    });
    expect(lawFailure(() => law.check({ numRuns: 50 }))).toMatch(/holds \d+ bytes/);
  });

  it('rechunk always reassembles to the original bytes', () => {
    fc.assert(
      fc.property(
        fc
          .uint8Array({ maxLength: 300 })
          .chain((b) => fc.tuple(fc.constant(b), rechunk(b, { boundaries: [0, 5] }))),
        ([b, chunks]) => {
          const joined = Uint8Array.from(chunks.flatMap((c) => Array.from(c)));
          expect(Array.from(joined)).toEqual(Array.from(b));
          if (b.length > 1) expect(chunks.every((c) => c.length > 0)).toBe(true);
        },
      ),
    );
  });
});
