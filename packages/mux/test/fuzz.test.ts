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
import { CLIENT_PREFACE, ErrorCode, Flag, FrameType } from '../src/frame/types.js';
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

/**
 * What a byte stream means to the core: its events with each stream's DATA runs joined (the reader
 * streams DATA payloads, so chunking changes how runs are cut, never the bytes or the order), and
 * the bytes it answers with.
 */
function meaning(bytes: Uint8Array, chunks: number[]): { events: string[]; out: string } {
  const conn = new Connection({ role: 'server', now: () => 0 });
  const events: string[] = [];
  const out: Uint8Array[] = [];
  let data: { id: number; bytes: number[] } | undefined;
  const flushData = () => {
    if (data !== undefined) events.push(`data ${data.id} ${Buffer.from(data.bytes).toString('hex')}`);
    data = undefined;
  };
  let at = 0;
  for (const size of [...chunks, bytes.length]) {
    const piece = bytes.subarray(at, at + size);
    at += piece.length;
    for (const e of conn.receive(piece)) {
      if (e.type === 'DataReceived') {
        if (data !== undefined && data.id !== e.streamId) flushData();
        data ??= { id: e.streamId, bytes: [] };
        data.bytes.push(...e.data);
        if (e.endStream) {
          flushData();
          events.push(`end ${e.streamId}`);
        }
        continue;
      }
      flushData();
      events.push(JSON.stringify(e, (k, v) => (k === 'error' ? v?.message : v)));
    }
    out.push(...conn.takeOutbound());
    if (at >= bytes.length) break;
  }
  flushData();
  return { events, out: Buffer.concat(out).toString('hex') };
}

/** A valid client byte stream moving DATA (some padded, some empty) on three open streams. */
const transfers = fc
  .array(
    fc.oneof(
      fc.record({
        k: fc.constant('data' as const),
        id: fc.constantFrom(1, 3, 5),
        n: fc.integer({ min: 0, max: 1500 }),
        pad: fc.option(fc.integer({ min: 0, max: 40 })),
        end: fc.boolean(),
      }),
      fc.record({ k: fc.constant('ping' as const) }),
      fc.record({ k: fc.constant('unknown' as const), payload: fc.uint8Array({ maxLength: 30 }) }),
    ),
    { maxLength: 30 },
  )
  .map((list) => {
    const hpack = new HpackEncoder();
    const out: Uint8Array[] = [CLIENT_PREFACE, encodeSettings([])];
    for (const id of [1, 3, 5]) {
      const fields: [string, string][] = [
        [':method', 'POST'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'x'],
      ];
      encodeHeaderBlock(out, id, hpack.encode(fields), false, 16384);
    }
    const ended = new Set<number>();
    let seq = 0;
    for (const f of list) {
      if (f.k === 'ping') out.push(encodePing(new Uint8Array(8), false));
      else if (f.k === 'unknown') out.push(frameHeader(f.payload.length, 0xfa, 0, 1), f.payload);
      else if (!ended.has(f.id)) {
        const data = Uint8Array.from({ length: f.n }, () => seq++ & 0xff);
        const end = f.end ? Flag.EndStream : 0;
        if (f.end) ended.add(f.id);
        if (f.pad === null) {
          out.push(frameHeader(f.n, FrameType.Data, end, f.id), data);
        } else {
          out.push(
            frameHeader(1 + f.n + f.pad, FrameType.Data, end | Flag.Padded, f.id),
            Uint8Array.of(f.pad),
            data,
            new Uint8Array(f.pad),
          );
        }
      }
    }
    return Buffer.concat(out);
  });

describe('fuzzing the connection core', () => {
  it('any chunking of the input means the same: same events (DATA runs joined), same answer', () => {
    const chunks = fc.array(fc.integer({ min: 1, max: 1200 }), { maxLength: 100 });
    fc.assert(
      fc.property(fc.oneof(transfers, frames.map(build)), chunks, (bytes, sizes) => {
        expect(meaning(bytes, sizes)).toEqual(meaning(bytes, []));
      }),
      { numRuns: 1000 },
    );
  });

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
