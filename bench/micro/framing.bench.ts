/**
 * @weft/framing against its peers, side by side in one run:
 * - 64-byte frames arriving in 64 KiB chunks: weft vs it-length-prefixed (both varint-prefixed, both
 *   synchronous; target ≥ 8×);
 * - 1 MiB frames spanning 64 KiB chunks: weft vs the copy floor, `Buffer.concat` of the same chunk
 *   pieces for each frame (target ≥ 0.8×);
 * - 80-byte CRLF lines in 64 KiB chunks: weft `lines()` vs split2 (target ≥ 4×). split2 yields strings;
 *   weft yields bytes, so a row with weft + UTF-8 decoding of every line is shown too.
 */
import { lengthPrefixed, lines } from '@weft/framing';
import * as lp from 'it-length-prefixed';
import split2 from 'split2';
import type { MicroGroup } from '../src/micro.js';

const CHUNK = 64 * 1024;

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function smallFrames(): MicroGroup {
  const codec = lengthPrefixed({ width: 'varint' });
  const count = 16_384; // ~1 MiB of 64-byte frames
  const payload = new Uint8Array(64).fill(0x5a);
  const stream = Buffer.concat(Array.from({ length: count }, () => codec.encode(payload)));
  const chunks = chunked(stream, CHUNK);
  return {
    suite: 'framing',
    title: '64 B frames in 64 KiB chunks',
    unit: 'frames',
    target: { ratio: 8, case: 'weft lengthPrefixed(varint)' },
    cases: [
      {
        name: 'it-length-prefixed decode',
        baseline: true,
        unitsPerOp: count,
        expect: count,
        fn: () => {
          let n = 0;
          for (const f of lp.decode(chunks)) if (f.subarray().length === 64) n++;
          return n;
        },
      },
      {
        name: 'weft lengthPrefixed(varint)',
        unitsPerOp: count,
        expect: count,
        fn: () => {
          const d = codec.decoder();
          let n = 0;
          for (const c of chunks) for (const f of d.push(c)) if (f.length === 64) n++;
          d.end();
          return n;
        },
      },
    ],
  };
}

function largeFrames(): MicroGroup {
  const codec = lengthPrefixed({ width: 4 });
  const count = 8;
  const size = 1024 * 1024;
  const payload = new Uint8Array(size).fill(0x33);
  const stream = Buffer.concat(Array.from({ length: count }, () => codec.encode(payload)));
  const chunks = chunked(stream, CHUNK);
  // The floor: for each frame, Buffer.concat of the pieces of the chunks that carry its payload —
  // the least copying any decoder must do to hand out contiguous 1 MiB frames.
  const piecesPerFrame: Uint8Array[][] = [];
  for (let f = 0; f < count; f++) {
    const start = f * (size + 4) + 4;
    const end = start + size;
    const pieces: Uint8Array[] = [];
    for (let c = 0; c < chunks.length; c++) {
      const cs = c * CHUNK;
      const ce = cs + chunks[c]!.length;
      const s = Math.max(start, cs);
      const e = Math.min(end, ce);
      if (s < e) pieces.push(chunks[c]!.subarray(s - cs, e - cs));
    }
    piecesPerFrame.push(pieces);
  }
  return {
    suite: 'framing',
    title: '1 MiB frames spanning 64 KiB chunks',
    unit: 'B',
    target: { ratio: 0.8, case: 'weft lengthPrefixed(4)' },
    cases: [
      {
        name: "copy floor: Buffer.concat of each frame's chunk pieces",
        baseline: true,
        unitsPerOp: count * size,
        expect: count * size,
        fn: () => {
          let n = 0;
          for (const pieces of piecesPerFrame) n += Buffer.concat(pieces, size).length;
          return n;
        },
      },
      {
        name: 'weft lengthPrefixed(4)',
        unitsPerOp: count * size,
        expect: count * size,
        fn: () => {
          const d = codec.decoder();
          let n = 0;
          for (const c of chunks) for (const f of d.push(c)) n += f.length;
          d.end();
          return n;
        },
      },
    ],
  };
}

function crlfLines(): MicroGroup {
  const count = 16_384;
  const line = `${'x'.repeat(78)}\r\n`;
  const stream = Buffer.from(line.repeat(count));
  const chunks = chunked(stream, CHUNK);
  const codec = lines();
  const strictCodec = lines({ strict: true });
  const utf8 = new TextDecoder();
  return {
    suite: 'framing',
    title: '80 B CRLF lines in 64 KiB chunks',
    unit: 'lines',
    target: { ratio: 4, case: 'weft lines()' },
    cases: [
      {
        name: 'split2 (strings)',
        baseline: true,
        unitsPerOp: count,
        expect: count,
        fn: () => {
          let n = 0;
          const s = split2();
          s.on('data', () => {
            n++;
          });
          for (const c of chunks) s.write(c);
          s.end();
          return n;
        },
      },
      {
        name: 'weft lines()',
        unitsPerOp: count,
        expect: count,
        fn: () => {
          const d = codec.decoder();
          let n = 0;
          for (const c of chunks) n += d.push(c).length;
          d.end();
          return n;
        },
      },
      {
        name: 'weft lines({ strict })',
        unitsPerOp: count,
        expect: count,
        fn: () => {
          const d = strictCodec.decoder();
          let n = 0;
          for (const c of chunks) n += d.push(c).length;
          d.end();
          return n;
        },
      },
      {
        name: 'weft lines() + UTF-8 decode (strings, like split2)',
        unitsPerOp: count,
        expect: count,
        fn: () => {
          const d = codec.decoder();
          let n = 0;
          for (const c of chunks) for (const f of d.push(c)) if (utf8.decode(f).length === 78) n++;
          d.end();
          return n;
        },
      },
    ],
  };
}

/** The framing micro suite. */
export function framingGroups(): MicroGroup[] {
  return [smallFrames(), largeFrames(), crlfLines()];
}
