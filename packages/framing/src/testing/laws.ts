import fc from 'fast-check';
import { bytesEqual, concat, hex } from './bytes.js';
import { rechunk } from './rechunk.js';

/** The part of a codec the laws exercise: any user codec with this shape can be tested. */
export interface TestableCodec {
  readonly name?: string;
  readonly maxFrameLength?: number;
  encode(payload: Uint8Array): Uint8Array;
  encodeParts?(payload: Uint8Array): Uint8Array[];
  decoder(): { push(chunk: Uint8Array): Uint8Array[]; end(): void; readonly buffered: number };
}

/** Options of {@link codecLaws}. */
export interface CodecLawsOptions {
  /** What the decoder yields for a payload. Default: the payload itself (header stripped). */
  expected?: (payload: Uint8Array) => Uint8Array;
  /** Most frames in one generated stream. Default 8. */
  maxFrames?: number;
  /** Bytes a decoder may hold beyond `maxFrameLength` (one header or delimiter). Default 16. */
  maxOverhead?: number;
  /** fast-check parameters for every law (`numRuns`, `seed`, ...). */
  params?: fc.Parameters<unknown>;
  /** Code `end()` must throw for a stream cut inside a frame. Default `FRAMING_ERR_TRUNCATED`. */
  truncatedCode?: string;
  /** Code for an oversize frame. Default `FRAMING_ERR_FRAME_TOO_LARGE`. */
  tooLargeCode?: string;
  /**
   * Frames over the codec's limit, as a peer would send them: enables the oversize law. `encode`
   * makes the peer's bytes (typically the same codec with a larger limit).
   */
  oversize?: {
    payloads: fc.Arbitrary<Uint8Array>;
    encode(payload: Uint8Array): Uint8Array;
    /** Whether the codec's own `encode` must refuse these payloads. Default true. */
    rejectOnEncode?: boolean;
  };
}

/** One law: a named fast-check property and a `check` that asserts it. */
export interface CodecLaw {
  readonly name: string;
  readonly property: fc.IPropertyWithHooks<unknown> | fc.IRawProperty<unknown>;
  /** Run the property; throws fast-check's report (with the shrunk counterexample) on failure. */
  check(params?: fc.Parameters<unknown>): void;
}

/** Thrown when a codec breaks a law; the message says which and shows the bytes. */
export class CodecLawError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecLawError';
  }
}

function fail(message: string): never {
  throw new CodecLawError(message);
}

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/**
 * The laws every framing codec must obey, as fast-check properties:
 *
 * 1. `encodeParts` concatenated equals `encode`;
 * 2. one frame in one chunk decodes to its payload and leaves nothing buffered;
 * 3. any sequence of frames under any chunking decodes to the same sequence — nothing lost,
 *    duplicated or reordered — while the decoder never holds more than one frame plus overhead;
 * 4. a stream cut inside a frame keeps the partial frame buffered, delivers only the complete ones,
 *    and `end()` reports the truncation with its code (named `truncation`; a codec whose frames are all
 *    one byte cannot be truncated, and this law then fails for want of cases: leave it out);
 * 5. (with `options.oversize`) an oversize frame is refused by `encode` and rejected by the decoder
 *    with its code while it holds no more than the limit plus overhead.
 *
 * @example
 * for (const law of codecLaws(netstrings, fc.uint8Array())) it(law.name, () => law.check());
 */
export function codecLaws(
  codec: TestableCodec,
  payloads: fc.Arbitrary<Uint8Array>,
  options: CodecLawsOptions = {},
): CodecLaw[] {
  const expected = options.expected ?? ((p: Uint8Array) => p);
  const maxFrames = options.maxFrames ?? 8;
  const bound = (codec.maxFrameLength ?? Number.POSITIVE_INFINITY) + (options.maxOverhead ?? 16);
  const truncatedCode = options.truncatedCode ?? 'FRAMING_ERR_TRUNCATED';
  const tooLargeCode = options.tooLargeCode ?? 'FRAMING_ERR_FRAME_TOO_LARGE';
  const label = codec.name ?? 'codec';

  const law = (name: string, property: CodecLaw['property']): CodecLaw => ({
    name: `${label}: ${name}`,
    property,
    check: (params) => fc.assert(property, { ...options.params, ...params }),
  });

  /** Encoded frames of a payload list, with the offset where each starts. */
  const streamOf = (list: Uint8Array[]) => {
    const frames = list.map((p) => codec.encode(p));
    const boundaries: number[] = [];
    let at = 0;
    for (const f of frames) {
      boundaries.push(at);
      at += f.length;
    }
    return { frames, boundaries, bytes: concat(frames) };
  };

  const feed = (decoder: ReturnType<TestableCodec['decoder']>, chunks: readonly Uint8Array[]) => {
    const got: Uint8Array[] = [];
    for (const c of chunks) {
      for (const f of decoder.push(c)) got.push(f);
      if (decoder.buffered > bound) {
        fail(
          `${label}: decoder holds ${decoder.buffered} bytes, more than maxFrameLength + overhead (${bound})`,
        );
      }
    }
    return got;
  };

  const sameFrames = (got: Uint8Array[], want: Uint8Array[], context: string) => {
    if (got.length !== want.length)
      fail(`${label}: ${context}: decoded ${got.length} frames, expected ${want.length}`);
    for (let i = 0; i < want.length; i++) {
      if (!bytesEqual(got[i]!, want[i]!)) {
        fail(`${label}: ${context}: frame ${i} is [${hex(got[i]!)}], expected [${hex(want[i]!)}]`);
      }
    }
  };

  const laws: CodecLaw[] = [];

  if (codec.encodeParts !== undefined) {
    const encodeParts = codec.encodeParts.bind(codec);
    laws.push(
      law(
        'encodeParts concatenated equals encode',
        fc.property(payloads, (p) => {
          const whole = codec.encode(p);
          const parts = concat(encodeParts(p));
          if (!bytesEqual(whole, parts))
            fail(`${label}: encodeParts [${hex(parts)}] != encode [${hex(whole)}]`);
        }),
      ),
    );
  }

  laws.push(
    law(
      'one frame in one chunk round-trips',
      fc.property(payloads, (p) => {
        const d = codec.decoder();
        sameFrames(feed(d, [codec.encode(p)]), [expected(p)], 'one frame');
        if (d.buffered !== 0) fail(`${label}: ${d.buffered} bytes left buffered after a whole frame`);
        d.end();
      }),
    ),
  );

  const sequence = fc.array(payloads, { maxLength: maxFrames }).chain((list) => {
    const s = streamOf(list);
    return fc.tuple(fc.constant(list), rechunk(s.bytes, { boundaries: s.boundaries }));
  });

  laws.push(
    law(
      'any sequence under any chunking round-trips (nothing lost, duplicated or reordered)',
      fc.property(sequence, ([list, chunks]) => {
        const d = codec.decoder();
        sameFrames(feed(d, chunks), list.map(expected), `${chunks.length} chunks`);
        if (d.buffered !== 0) fail(`${label}: ${d.buffered} bytes left buffered after complete frames`);
        d.end();
      }),
    ),
  );

  // A cut strictly inside the last frame needs a frame of 2+ bytes. A codec whose frames are all one
  // byte can never be truncated: fast-check's precondition then gives up loudly rather than spinning.
  const cut = fc.tuple(fc.array(payloads, { maxLength: maxFrames - 1 }), payloads).chain(([list, last]) => {
    const lastFrame = codec.encode(last);
    if (lastFrame.length < 2) return fc.constant(null);
    const head = streamOf(list).bytes;
    return fc.integer({ min: 1, max: lastFrame.length - 1 }).chain((keep) => {
      const bytes = concat([head, lastFrame.subarray(0, keep)]);
      return fc.tuple(fc.constant(list), fc.constant(keep), rechunk(bytes));
    });
  });

  laws.push(
    law(
      'truncation: a stream cut inside a frame delivers the complete frames, buffers the rest, end() reports it',
      fc.property(cut, (c) => {
        fc.pre(c !== null);
        const [list, keep, chunks] = c;
        const d = codec.decoder();
        sameFrames(feed(d, chunks), list.map(expected), 'frames before the cut');
        if (d.buffered === 0 || d.buffered > keep) {
          fail(`${label}: ${d.buffered} bytes buffered for a partial frame of ${keep} bytes`);
        }
        try {
          d.end();
        } catch (err) {
          if (codeOf(err) !== truncatedCode)
            fail(`${label}: end() threw ${String(codeOf(err))}, expected ${truncatedCode}`);
          return;
        }
        fail(`${label}: end() accepted a stream cut inside a frame`);
      }),
    ),
  );

  const oversize = options.oversize;
  if (oversize !== undefined) {
    const rejectOnEncode = oversize.rejectOnEncode ?? true;
    const big = oversize.payloads.chain((p) => {
      const bytes = oversize.encode(p);
      return fc.tuple(fc.constant(p), rechunk(bytes, { maxSplits: 16 }));
    });
    laws.push(
      law(
        'an oversize frame is refused by encode and rejected by the decoder before it is buffered',
        fc.property(big, ([p, chunks]) => {
          if (rejectOnEncode) {
            let refused = false;
            try {
              codec.encode(p);
            } catch (err) {
              if (codeOf(err) !== tooLargeCode)
                fail(`${label}: encode threw ${String(codeOf(err))}, expected ${tooLargeCode}`);
              refused = true;
            }
            if (!refused) fail(`${label}: encode accepted a payload of ${p.length} bytes over the limit`);
          }
          const d = codec.decoder();
          try {
            const got = feed(d, chunks);
            fail(`${label}: decoder accepted an oversize frame (${got.length} frames out)`);
          } catch (err) {
            if (err instanceof CodecLawError) throw err;
            if (codeOf(err) !== tooLargeCode)
              fail(`${label}: decoder threw ${String(codeOf(err))}, expected ${tooLargeCode}`);
          }
        }),
      ),
    );
  }
  return laws;
}

/** Run every law of {@link codecLaws}; throws on the first broken one. */
export function assertCodecLaws(
  codec: TestableCodec,
  payloads: fc.Arbitrary<Uint8Array>,
  options: CodecLawsOptions = {},
): void {
  for (const l of codecLaws(codec, payloads, options)) l.check();
}
