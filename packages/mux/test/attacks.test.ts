/**
 * Known HTTP/2 attacks performed against the core. Each ends in GOAWAY ENHANCE_YOUR_CALM (or the
 * RFC's code) with bounded work, while the same traffic spread over time passes.
 */
import { describe, expect, it } from 'vitest';
import { Connection } from '../src/connection.js';
import type { ConnectionEvent } from '../src/events.js';
import { decodeFrame } from '../src/frame/decode.js';
import {
  encodePing,
  encodePriorityUpdate,
  encodeRstStream,
  encodeSettings,
  encodeWindowUpdate,
  frameHeader,
} from '../src/frame/encode.js';
import { CLIENT_PREFACE, ErrorCode, Flag, FrameType } from '../src/frame/types.js';
import { HpackEncoder } from '../src/hpack/encoder.js';

const hpack = new HpackEncoder();
const request = hpack.encode([
  [':method', 'GET'],
  [':scheme', 'http'],
  [':path', '/'],
  [':authority', 'x'],
]);
const headers = (id: number, endStream = false) =>
  Buffer.concat([
    frameHeader(request.length, FrameType.Headers, Flag.EndHeaders | (endStream ? Flag.EndStream : 0), id),
    request,
  ]);
const preface = () => Buffer.concat([CLIENT_PREFACE, encodeSettings([])]);

function server(now: () => number = () => 0) {
  // A fresh HPACK encoder per test would be needed for dynamic entries; our request only hits the
  // static table and a literal without table updates after the first, so reuse is safe per server.
  const conn = new Connection({ role: 'server', now });
  const events: ConnectionEvent[] = [];
  return {
    conn,
    events,
    feed(b: Uint8Array) {
      events.push(...conn.receive(b));
    },
    goaway(): number | undefined {
      const bytes = Buffer.concat(conn.takeOutbound());
      let at = 0;
      let code: number | undefined;
      while (at + 9 <= bytes.length) {
        const len = bytes.readUIntBE(at, 3);
        const f = decodeFrame(bytes.subarray(at, at + 9 + len));
        if (f.kind === 'goaway') code = f.code;
        at += 9 + len;
      }
      return code;
    },
  };
}

const count = (events: ConnectionEvent[], type: ConnectionEvent['type']) =>
  events.filter((e) => e.type === type).length;

describe('attacks on the core', () => {
  it('Rapid Reset (CVE-2023-44487): HEADERS + RST_STREAM in a burst ends with ENHANCE_YOUR_CALM', () => {
    const s = server();
    const literalFree = new HpackEncoder({ huffman: 'never' });
    const block = literalFree.encode([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'x'],
    ]);
    const parts: Buffer[] = [preface()];
    for (let i = 0; i < 5000; i++) {
      const id = 1 + 2 * i;
      parts.push(Buffer.concat([frameHeader(block.length, FrameType.Headers, Flag.EndHeaders, id), block]));
      parts.push(Buffer.from(encodeRstStream(id, ErrorCode.Cancel)));
    }
    s.feed(Buffer.concat(parts));
    expect(s.goaway()).toBe(ErrorCode.EnhanceYourCalm);
    expect(count(s.events, 'HeadersReceived')).toBeLessThanOrEqual(1001);
    expect(s.conn.alive).toBe(false);
    expect(s.conn.streamCount).toBe(0);
  });

  it('the same resets spread over time (100/s) are fine', () => {
    let t = 0;
    const s = server(() => t);
    s.feed(preface());
    const literalFree = new HpackEncoder({ huffman: 'never' });
    for (let i = 0; i < 3000; i++) {
      t += 10;
      const id = 1 + 2 * i;
      const block = literalFree.encode([
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'x'],
      ]);
      s.feed(
        Buffer.concat([
          frameHeader(block.length, FrameType.Headers, Flag.EndHeaders, id),
          block,
          encodeRstStream(id, ErrorCode.Cancel),
        ]),
      );
      s.conn.takeOutbound();
    }
    expect(s.conn.alive).toBe(true);
    expect(count(s.events, 'StreamReset')).toBe(3000);
  });

  it('MadeYouReset: frames that make the server reset its own streams end with ENHANCE_YOUR_CALM', () => {
    const s = server();
    const parts: Buffer[] = [preface()];
    const literalFree = new HpackEncoder({ huffman: 'never' });
    for (let i = 0; i < 3000; i++) {
      const id = 1 + 2 * i;
      const block = literalFree.encode([
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'x'],
      ]);
      parts.push(Buffer.concat([frameHeader(block.length, FrameType.Headers, Flag.EndHeaders, id), block]));
      // WINDOW_UPDATE of 0 on the stream: a stream error the server answers with RST_STREAM.
      parts.push(Buffer.concat([frameHeader(4, FrameType.WindowUpdate, 0, id), Buffer.alloc(4)]));
    }
    s.feed(Buffer.concat(parts));
    expect(s.goaway()).toBe(ErrorCode.EnhanceYourCalm);
    expect(count(s.events, 'StreamReset')).toBeLessThanOrEqual(1001);
  });

  it('PING flood (CVE-2019-9512) ends with ENHANCE_YOUR_CALM', () => {
    const s = server();
    s.feed(
      Buffer.concat([
        preface(),
        ...Array.from({ length: 1000 }, () => Buffer.from(encodePing(new Uint8Array(8), false))),
      ]),
    );
    expect(s.goaway()).toBe(ErrorCode.EnhanceYourCalm);
    expect(count(s.events, 'PingReceived')).toBeLessThanOrEqual(200);
  });

  it('SETTINGS flood (CVE-2019-9515) ends with ENHANCE_YOUR_CALM', () => {
    const s = server();
    s.feed(
      Buffer.concat([
        preface(),
        ...Array.from({ length: 1000 }, () => Buffer.from(encodeSettings([[4, 65535]]))),
      ]),
    );
    expect(s.goaway()).toBe(ErrorCode.EnhanceYourCalm);
  });

  it.each([
    ['PRIORITY_UPDATE', (id: number) => Buffer.from(encodePriorityUpdate(id, 'u=1'))],
    // RFC 7540 PRIORITY: stream dependency 0, weight 16 — deprecated and ignored, but not free.
    [
      'PRIORITY',
      (id: number) =>
        Buffer.concat([frameHeader(5, FrameType.Priority, 0, id), Buffer.from([0, 0, 0, 0, 15])]),
    ],
  ])('%s flood (CVE-2019-9513) ends with ENHANCE_YOUR_CALM', (_name, frame) => {
    const s = server();
    s.feed(Buffer.concat([preface(), headers(1), ...Array.from({ length: 2000 }, () => frame(1))]));
    expect(s.goaway()).toBe(ErrorCode.EnhanceYourCalm);
    expect(s.conn.alive).toBe(false);
  });

  it('the same PRIORITY_UPDATEs spread over time (100/s) are fine', () => {
    let t = 0;
    const s = server(() => t);
    s.feed(Buffer.concat([preface(), headers(1)]));
    for (let i = 0; i < 2000; i++) {
      t += 10;
      s.feed(Buffer.from(encodePriorityUpdate(1, `u=${i % 8}`)));
    }
    expect(s.goaway()).toBeUndefined();
    expect(s.conn.alive).toBe(true);
  });

  it('empty-frame flood (CVE-2019-9518) ends with ENHANCE_YOUR_CALM', () => {
    const s = server();
    const empty = Buffer.from(frameHeader(0, FrameType.Data, 0, 1));
    s.feed(Buffer.concat([preface(), headers(1), ...Array.from({ length: 2000 }, () => empty)]));
    expect(s.goaway()).toBe(ErrorCode.EnhanceYourCalm);
  });

  it('a peer that never reads our answers cannot grow the control queue without bound', () => {
    const conn = new Connection({ role: 'server', limits: { pings: { rate: 1e9, burst: 1e9 } } });
    const events = conn.receive(
      Buffer.concat([
        preface(),
        ...Array.from({ length: 20_000 }, () => Buffer.from(encodePing(new Uint8Array(8), false))),
      ]),
    );
    expect(
      events.some((e) => e.type === 'ConnectionError' && e.error.h2Code === ErrorCode.EnhanceYourCalm),
    ).toBe(true);
    expect(conn.takeOutbound().length).toBeLessThanOrEqual(10_010);
  });

  it('stream exhaustion beyond MAX_CONCURRENT_STREAMS is refused, then ends the connection if it persists', () => {
    const conn = new Connection({ role: 'server', settings: { maxConcurrentStreams: 10 } });
    const literalFree = new HpackEncoder({ huffman: 'never' });
    const parts: Buffer[] = [preface()];
    for (let i = 0; i < 2000; i++) {
      const block = literalFree.encode([
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'x'],
      ]);
      parts.push(
        Buffer.concat([frameHeader(block.length, FrameType.Headers, Flag.EndHeaders, 1 + 2 * i), block]),
      );
    }
    const events = conn.receive(Buffer.concat(parts));
    expect(events.filter((e) => e.type === 'HeadersReceived')).toHaveLength(10);
    expect(
      events.filter((e) => e.type === 'StreamReset' && e.code === ErrorCode.RefusedStream).length,
    ).toBeGreaterThan(900);
    expect(
      events.some((e) => e.type === 'ConnectionError' && e.error.h2Code === ErrorCode.EnhanceYourCalm),
    ).toBe(true);
    // The connection ended: its streams ended with it.
    expect(conn.streamCount).toBe(0);
  });

  it('window overflow from repeated WINDOW_UPDATEs is FLOW_CONTROL_ERROR', () => {
    const s = server();
    s.feed(Buffer.concat([preface(), encodeWindowUpdate(0, 0x7fffffff - 65535), encodeWindowUpdate(0, 1)]));
    expect(s.goaway()).toBe(ErrorCode.FlowControlError);
  });
});
