/**
 * RFC 9113's malformed messages and unexpected stream identifiers, as a peer sends them: a
 * `content-length` that disagrees with the DATA (§8.1.1) resets the stream with PROTOCOL_ERROR in
 * both directions and the connection goes on; HEADERS opening an even stream, or one below the
 * last the client opened, is a connection PROTOCOL_ERROR (§5.1.1).
 */
import { describe, expect, it } from 'vitest';
import { Connection } from '../src/connection.js';
import type { ConnectionEvent } from '../src/events.js';
import { decodeFrame } from '../src/frame/decode.js';
import { encodeSettings, frameHeader } from '../src/frame/encode.js';
import { CLIENT_PREFACE, ErrorCode, Flag, FrameType } from '../src/frame/types.js';
import { HpackEncoder } from '../src/hpack/encoder.js';
import { exchange } from './exchange.js';

type Fields = [string, string][];
const of = <T extends ConnectionEvent['type']>(events: ConnectionEvent[], type: T) =>
  events.filter((e): e is Extract<ConnectionEvent, { type: T }> => e.type === type);

const post = (length?: number): Fields => [
  [':method', 'POST'],
  [':scheme', 'http'],
  [':path', '/upload'],
  [':authority', 'x'],
  ...(length === undefined ? [] : ([['content-length', String(length)]] as Fields)),
];

function connected() {
  const c = new Connection({ role: 'client' });
  const s = new Connection({ role: 'server' });
  const ce: ConnectionEvent[] = [];
  const se: ConnectionEvent[] = [];
  const run = () => exchange(c, s, ce, se);
  run();
  return { c, s, ce, se, run };
}

describe('content-length against DATA (§8.1.1)', () => {
  const cases: [string, number, (c: Connection, id: number) => void][] = [
    ['more DATA than it declares', 4, (c, id) => c.write(id, new Uint8Array(5), true)],
    ['less DATA than it declares', 10, (c, id) => c.write(id, new Uint8Array(3), true)],
    [
      'trailers before all of it',
      10,
      (c, id) => {
        c.write(id, new Uint8Array(3));
        c.sendTrailers(id, [['x-done', '1']]);
      },
    ],
  ];
  for (const [what, length, send] of cases) {
    it(`a request with ${what} is reset with PROTOCOL_ERROR; the next request is served`, () => {
      const { c, s, ce, se, run } = connected();
      const id = c.request(post(length));
      send(c, id);
      const good = c.request(post(2));
      c.write(good, new Uint8Array(2), true);
      run();
      expect(of(se, 'StreamReset')[0]).toMatchObject({ streamId: id, code: ErrorCode.ProtocolError });
      expect(of(ce, 'StreamReset')[0]).toMatchObject({
        streamId: id,
        code: ErrorCode.ProtocolError,
        remote: true,
      });
      expect(
        of(se, 'DataReceived')
          .filter((e) => e.streamId === good)
          .reduce((n, e) => n + e.data.length, 0),
      ).toBe(2);
      expect(s.alive).toBe(true);
    });
  }

  it('a request that declares content and ends with its HEADERS is malformed', () => {
    const { c, se, run } = connected();
    const id = c.request(post(3), true);
    run();
    expect(of(se, 'StreamReset')[0]).toMatchObject({ streamId: id, code: ErrorCode.ProtocolError });
    expect(of(se, 'HeadersReceived')).toEqual([]);
  });

  it('an invalid content-length is malformed; a matching one and none are fine', () => {
    const { c, se, run } = connected();
    const bad = c.request([...post(), ['content-length', '1x']], true);
    const exact = c.request(post(4));
    c.write(exact, new Uint8Array(4), true);
    const none = c.request(post());
    c.write(none, new Uint8Array(9), true);
    run();
    expect(of(se, 'StreamReset').map((e) => e.streamId)).toEqual([bad]);
    expect(of(se, 'HeadersReceived').map((e) => e.streamId)).toEqual([exact, none]);
  });

  it('the client checks responses too, except to HEAD and for 204 and 304', () => {
    const { c, s, ce, run } = connected();
    const get = c.request(
      [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'x'],
      ],
      true,
    );
    const head = c.request(
      [
        [':method', 'HEAD'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'x'],
      ],
      true,
    );
    const notModified = c.request(
      [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/n'],
        [':authority', 'x'],
      ],
      true,
    );
    run();
    s.respond(get, [
      [':status', '200'],
      ['content-length', '10'],
    ]);
    s.write(get, new Uint8Array(4), true);
    s.respond(
      head,
      [
        [':status', '200'],
        ['content-length', '10'],
      ],
      true,
    );
    s.respond(
      notModified,
      [
        [':status', '304'],
        ['content-length', '10'],
      ],
      true,
    );
    run();
    expect(of(ce, 'StreamReset').map((e) => [e.streamId, e.code])).toEqual([[get, ErrorCode.ProtocolError]]);
    expect(
      of(ce, 'StreamClosed')
        .map((e) => e.streamId)
        .sort(),
    ).toEqual([head, notModified].sort());
  });
});

describe('unexpected stream identifiers (§5.1.1)', () => {
  const goawayOf = (out: Uint8Array[]) => {
    const bytes = Buffer.concat(out);
    for (let at = 0; at + 9 <= bytes.length; ) {
      const len = bytes.readUIntBE(at, 3);
      const f = decodeFrame(bytes.subarray(at, at + 9 + len));
      if (f.kind === 'goaway') return f.code;
      at += 9 + len;
    }
    return undefined;
  };
  const headers = (enc: HpackEncoder, id: number) => {
    const block = enc.encode(post());
    return Buffer.concat([
      frameHeader(block.length, FrameType.Headers, Flag.EndHeaders | Flag.EndStream, id),
      block,
    ]);
  };

  for (const [what, ids] of [
    ['an even stream id', [2]],
    ['a stream id below the last one opened', [5, 3]],
  ] as const) {
    it(`HEADERS on ${what} is a connection PROTOCOL_ERROR`, () => {
      const s = new Connection({ role: 'server' });
      const enc = new HpackEncoder();
      const events = s.receive(
        Buffer.concat([CLIENT_PREFACE, encodeSettings([]), ...ids.map((id) => headers(enc, id))]),
      );
      expect(goawayOf(s.takeOutbound())).toBe(ErrorCode.ProtocolError);
      expect(of(events, 'ConnectionError')[0]?.error.message).toMatch(/HEADERS opening stream/);
      expect(s.alive).toBe(false);
    });
  }
});
