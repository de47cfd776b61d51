/** Random and mutated frame sequences into the core: only events and GOAWAYs, never a throw or a hang. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection } from '../src/connection.js';
import {
  encodeData,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeWindowUpdate,
  frameHeader,
} from '../src/frame/encode.js';
import { CLIENT_PREFACE, ErrorCode } from '../src/frame/types.js';
import { HpackEncoder } from '../src/hpack/encoder.js';

/** A plausible client byte stream: preface, then frames of every type with mostly-valid fields. */
const frames = fc.array(
  fc.oneof(
    fc.record({ k: fc.constant('headers' as const), id: fc.integer({ min: 0, max: 20 }), end: fc.boolean() }),
    fc.record({
      k: fc.constant('data' as const),
      id: fc.integer({ min: 0, max: 20 }),
      n: fc.integer({ min: 0, max: 3000 }),
      end: fc.boolean(),
    }),
    fc.record({ k: fc.constant('rst' as const), id: fc.integer({ min: 0, max: 20 }) }),
    fc.record({
      k: fc.constant('wu' as const),
      id: fc.integer({ min: 0, max: 20 }),
      inc: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    }),
    fc.record({ k: fc.constant('settings' as const), v: fc.integer({ min: 0, max: 2 ** 31 }) }),
    fc.record({ k: fc.constant('ping' as const) }),
    fc.record({
      k: fc.constant('raw' as const),
      type: fc.integer({ min: 0, max: 20 }),
      flags: fc.integer({ min: 0, max: 255 }),
      id: fc.integer({ min: 0, max: 20 }),
      payload: fc.uint8Array({ maxLength: 40 }),
    }),
  ),
  { maxLength: 40 },
);

type FrameSpecs = typeof frames extends fc.Arbitrary<infer T> ? T : never;

function build(list: FrameSpecs): Uint8Array {
  const hpack = new HpackEncoder();
  const out: Uint8Array[] = [CLIENT_PREFACE, encodeSettings([])];
  for (const f of list) {
    switch (f.k) {
      case 'headers':
        encodeHeaderBlock(
          out,
          f.id,
          hpack.encode([
            [':method', 'GET'],
            [':scheme', 'http'],
            [':path', '/'],
            [':authority', 'x'],
          ]),
          f.end,
          16384,
        );
        break;
      case 'data':
        encodeData(out, f.id, new Uint8Array(f.n), f.end);
        break;
      case 'rst':
        out.push(encodeRstStream(f.id, ErrorCode.Cancel));
        break;
      case 'wu':
        out.push(encodeWindowUpdate(f.id, f.inc));
        break;
      case 'settings':
        out.push(encodeSettings([[4, f.v]]));
        break;
      case 'ping':
        out.push(encodePing(new Uint8Array(8), false));
        break;
      case 'raw':
        out.push(frameHeader(f.payload.length, f.type, f.flags, f.id), f.payload);
        break;
    }
  }
  return Buffer.concat(out);
}

function feed(bytes: Uint8Array, chunk: number): void {
  const conn = new Connection({ role: 'server' });
  for (let i = 0; i < bytes.length; i += chunk) {
    const events = conn.receive(bytes.subarray(i, i + chunk));
    for (const e of events)
      if (e.type === 'ConnectionError') expect(e.error.h2Code).toBeGreaterThanOrEqual(0);
    conn.takeOutbound();
  }
  expect(conn.streamCount).toBeLessThanOrEqual(250);
}

describe('fuzzing the connection core', () => {
  it('plausible frame sequences, whole and in small chunks', () => {
    fc.assert(
      fc.property(frames, fc.integer({ min: 1, max: 64 }), (list, chunk) => {
        const bytes = build(list);
        feed(bytes, bytes.length);
        feed(bytes, chunk);
      }),
      { numRuns: 500 },
    );
  });

  it('mutated sequences', () => {
    fc.assert(
      fc.property(
        frames,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (list, muts) => {
          const bytes = Uint8Array.from(build(list));
          for (const [at, v] of muts) if (bytes.length > 24) bytes[24 + (at % (bytes.length - 24))] = v;
          feed(bytes, bytes.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random bytes after the preface', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (junk) => {
        feed(Buffer.concat([CLIENT_PREFACE, encodeSettings([]), junk]), 97);
      }),
      { numRuns: 500 },
    );
  });
});
