import { describe, expect, it } from 'vitest';
import { BDP_SAMPLE_INTERVAL_MS } from '../src/bdp.js';
import { Connection, type ConnectionOptions } from '../src/connection.js';
import type { ConnectionEvent } from '../src/events.js';
import { decodeFrame } from '../src/frame/decode.js';
import { encodeSettings, frameHeader } from '../src/frame/encode.js';
import { CLIENT_PREFACE, ErrorCode, Flag, FrameType } from '../src/frame/types.js';

type Peer = { conn: Connection; events: ConnectionEvent[] };

function pair(client: Partial<ConnectionOptions> = {}, server: Partial<ConnectionOptions> = {}) {
  const c: Peer = { conn: new Connection({ role: 'client', ...client }), events: [] };
  const s: Peer = { conn: new Connection({ role: 'server', ...server }), events: [] };
  return { c, s, pump: () => pump(c, s) };
}

/** Move bytes both ways until neither side has anything to send. Returns the frames seen (for assertions). */
function pump(
  a: Peer,
  b: Peer,
  rounds = 1000,
): { from: 'client' | 'server'; type: number; flags: number; streamId: number; length: number }[] {
  const seen: { from: 'client' | 'server'; type: number; flags: number; streamId: number; length: number }[] =
    [];
  for (let i = 0; i < rounds; i++) {
    let moved = false;
    for (const [from, to, name] of [
      [a, b, 'client'],
      [b, a, 'server'],
    ] as const) {
      from.events.push(...from.conn.takeEvents());
      const out = from.conn.takeOutbound();
      if (out.length === 0) continue;
      moved = true;
      const bytes = Buffer.concat(out);
      record(bytes, name, seen);
      to.events.push(...to.conn.receive(bytes));
    }
    if (!moved) return seen;
  }
  throw new Error('pump did not settle');
}

function record(
  bytes: Uint8Array,
  from: 'client' | 'server',
  seen: { from: 'client' | 'server'; type: number; flags: number; streamId: number; length: number }[],
) {
  let at = 0;
  if (
    from === 'client' &&
    bytes.length >= 24 &&
    Buffer.from(bytes.subarray(0, 24)).equals(Buffer.from(CLIENT_PREFACE))
  )
    at = 24;
  while (at + 9 <= bytes.length) {
    const length = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
    seen.push({
      from,
      type: bytes[at + 3]!,
      flags: bytes[at + 4]!,
      streamId: Buffer.from(bytes.subarray(at + 5, at + 9)).readUInt32BE() & 0x7fffffff,
      length,
    });
    at += 9 + length;
  }
}

const of = <T extends ConnectionEvent['type']>(events: ConnectionEvent[], type: T) =>
  events.filter((e): e is Extract<ConnectionEvent, { type: T }> => e.type === type);

const GET = [
  [':method', 'GET'],
  [':scheme', 'http'],
  [':path', '/'],
  [':authority', 'x'],
] as const;
const OK = [[':status', '200']] as const;

/**
 * An 8 MiB response over a client and a server core on a simulated clock (`clock.t`, 10 ms per
 * exchange), read by a client that consumes each DATA frame as it arrives; `after` runs after
 * each exchange. Returns the bytes the client received.
 */
function transfer(clock: { t: number }, after: () => void = () => {}) {
  const c = new Connection({ role: 'client', now: () => clock.t });
  const s = new Connection({ role: 'server', now: () => clock.t });
  const id = c.request([...GET.map(([n, v]) => [n, v] as [string, string])], true);
  let received = 0;
  let started = false;
  const run = () => {
    for (let i = 0; i < 5000 && received < 8 << 20; i++) {
      clock.t += 10;
      const toServer = c.takeOutbound();
      for (const e of toServer.length > 0 ? s.receive(Buffer.concat(toServer)) : []) {
        if (e.type === 'HeadersReceived' && !started) {
          started = true;
          s.respond(id, [...OK]);
          s.write(id, new Uint8Array(8 << 20), true);
        }
      }
      const toClient = s.takeOutbound();
      if (toClient.length === 0 && toServer.length === 0) break;
      for (const part of toClient) {
        for (const e of c.receive(part)) {
          if (e.type === 'DataReceived') {
            received += e.data.length;
            c.consume(id, e.data.length);
          }
        }
      }
      after();
    }
    return received;
  };
  return { c, run };
}

describe('Connection core: the basics', () => {
  it('exchanges prefaces and settings, and acknowledges them', () => {
    const { c, s, pump } = pair();
    pump();
    expect(of(c.events, 'SettingsReceived')).toHaveLength(1);
    expect(of(s.events, 'SettingsReceived')).toHaveLength(1);
    expect(of(c.events, 'SettingsAcknowledged')).toHaveLength(1);
    expect(of(s.events, 'SettingsAcknowledged')).toHaveLength(1);
    expect(c.conn.remoteSettings.maxConcurrentStreams).toBe(250);
  });

  it('carries a request with a body, a response with a body, and trailers', () => {
    const { c, s, pump } = pair();
    const id = c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])]);
    c.conn.write(id, Buffer.from('hello'), true);
    pump();
    const req = of(s.events, 'HeadersReceived')[0]!;
    expect(req).toMatchObject({ streamId: 1, kind: 'request', endStream: false });
    expect(Buffer.from(of(s.events, 'DataReceived')[0]!.data).toString()).toBe('hello');
    s.conn.respond(id, [
      [':status', '200'],
      ['content-type', 'text/plain'],
    ]);
    s.conn.write(id, Buffer.from('world'));
    s.conn.sendTrailers(id, [['grpc-status', '0']]);
    pump();
    const heads = of(c.events, 'HeadersReceived');
    expect(heads.map((h) => h.kind)).toEqual(['response', 'trailers']);
    expect(heads[1]!.headers).toEqual([['grpc-status', '0']]);
    expect(Buffer.from(of(c.events, 'DataReceived')[0]!.data).toString()).toBe('world');
    expect(of(c.events, 'StreamClosed').map((e) => e.streamId)).toEqual([1]);
    expect(of(s.events, 'StreamClosed').map((e) => e.streamId)).toEqual([1]);
    expect(c.conn.streamCount).toBe(0);
    expect(s.conn.streamCount).toBe(0);
  });

  it('answers PING and reports the acknowledgement', () => {
    const { c, s, pump } = pair();
    c.conn.ping(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    pump();
    expect(Array.from(of(s.events, 'PingReceived')[0]!.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(of(c.events, 'PingAcknowledged')[0]!.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('splits a large header block into CONTINUATION frames and reassembles it', () => {
    const { c, s, pump } = pair();
    const big: [string, string][] = [
      ...GET.map(([n, v]) => [n, v] as [string, string]),
      ['x-big', 'v'.repeat(40_000)],
    ];
    c.conn.request(big, true);
    const frames = pump();
    expect(frames.filter((f) => f.type === FrameType.Continuation).length).toBeGreaterThan(0);
    expect(of(s.events, 'HeadersReceived')[0]!.headers).toEqual(big);
  });
});

describe('Connection core: flow control and scheduling', () => {
  it('a reader that stops consuming stops the sender at the stream window; consuming resumes it', () => {
    const { c, s, pump } = pair();
    const id = c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])], true);
    pump();
    s.conn.respond(id, [...OK]);
    s.conn.write(id, new Uint8Array(200_000), true);
    pump();
    const received = () => of(c.events, 'DataReceived').reduce((n, e) => n + e.data.length, 0);
    expect(received()).toBe(65_535);
    expect(s.conn.pendingBytes(id)).toBe(200_000 - 65_535);
    // Consume everything received so far: the window reopens, more arrives, and so on.
    let consumed = 0;
    for (let i = 0; i < 10 && received() < 200_000; i++) {
      c.conn.consume(id, received() - consumed);
      consumed = received();
      pump();
    }
    expect(received()).toBe(200_000);
    expect(of(c.events, 'StreamClosed')).toHaveLength(1);
  });

  it('each SETTINGS waits for its ACK from when it was sent: a window update late in life is not overdue', () => {
    // A transfer that starts 9.95 s into the connection: auto-tuning sends SETTINGS then. The
    // session's SETTINGS_TIMEOUT (10 s) once counted from the connection's start and killed it.
    const clock = { t: 0 };
    let lateSettings = 0;
    let longestWait = 0;
    const { c, run } = transfer(clock, () => {
      if (c.settingsPending && clock.t > 10_000) {
        lateSettings++;
        longestWait = Math.max(longestWait, c.settingsWaitMs);
      }
    });
    expect(c.settingsPending).toBe(true);
    clock.t = 9950;
    const received = run();
    expect(received).toBe(8 << 20);
    expect(lateSettings).toBeGreaterThan(0);
    // Acknowledged within a few 10 ms round trips of being sent.
    expect(longestWait).toBeLessThan(100);
    expect(c.settingsPending).toBe(false);
    expect(c.settingsWaitMs).toBe(0);
  });

  it('a transfer after small ones grows the windows within round trips, not after a second', () => {
    // Small answers first: their BDP sample says "not window-limited", which would make the
    // estimator wait a second before sampling again — but a bulk answer that uses up the window
    // wakes it at once.
    const clock = { t: 0 };
    const c = new Connection({ role: 'client', now: () => clock.t });
    const s = new Connection({ role: 'server', now: () => clock.t });
    const answer = (size: number) => {
      const id = c.request([...GET.map(([n, v]) => [n, v] as [string, string])], true);
      let asked = false;
      for (let i = 0; i < 40; i++) {
        clock.t += 10;
        const toServer = c.takeOutbound();
        if (toServer.length === 0 && asked && s.pendingBytes(id) === 0) break;
        for (const e of toServer.length > 0 ? s.receive(Buffer.concat(toServer)) : []) {
          if (e.type === 'HeadersReceived' && e.streamId === id && !asked) {
            asked = true;
            s.respond(id, [...OK]);
            s.write(id, new Uint8Array(size), true);
          }
        }
        for (const part of s.takeOutbound())
          for (const e of c.receive(part))
            if (e.type === 'DataReceived') c.consume(e.streamId, e.data.length);
      }
    };
    answer(1000);
    answer(1000);
    expect(c.localSettings.initialWindowSize).toBe(65_535);
    const before = clock.t;
    answer(4 << 20);
    // 40 round trips of 10 ms: far below the estimator's 1 s wait.
    expect(clock.t - before).toBeLessThan(BDP_SAMPLE_INTERVAL_MS);
    expect(c.localSettings.initialWindowSize).toBeGreaterThan(1 << 20);
  });

  it('receive windows grow to the BDP while the reader keeps up, and not while it stalls', () => {
    // A simulated clock: each exchange is one 10 ms round trip, so BDP samples can be taken.
    const { c, run } = transfer({ t: 0 });
    const received = run();
    expect(received).toBe(8 << 20);
    expect(c.localSettings.initialWindowSize).toBeGreaterThan(1 << 20);
    expect(c.localSettings.initialWindowSize).toBeLessThanOrEqual(16 << 20);

    const stalled = pair();
    const id2 = stalled.c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])], true);
    stalled.pump();
    stalled.s.conn.respond(id2, [...OK]);
    stalled.s.conn.write(id2, new Uint8Array(1 << 20), true);
    for (let i = 0; i < 10; i++) stalled.pump();
    expect(stalled.c.conn.localSettings.initialWindowSize).toBe(65_535);
  });

  it('round-robins 16 KiB chunks so one large transfer does not starve a small one', () => {
    const { c, s, pump } = pair({ settings: { initialWindowSize: 1 << 24 } }, {});
    const big = c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])]);
    const small = c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])]);
    pump();
    s.conn.respond(big, [...OK]);
    s.conn.respond(small, [...OK]);
    s.conn.write(big, new Uint8Array(1 << 20), true);
    s.conn.write(small, new Uint8Array(100), true);
    const frames = pump().filter((f) => f.type === FrameType.Data && f.from === 'server');
    const smallAt = frames.findIndex((f) => f.streamId === small);
    expect(smallAt).toBeLessThanOrEqual(2);
    // While both have data the big one takes 16 KiB turns; alone, it may use larger frames.
    expect(Math.max(...frames.slice(0, smallAt + 1).map((f) => f.length))).toBeLessThanOrEqual(16_384);
  });

  /** A client and a server core past their SETTINGS exchange, driven by hand. */
  const handshaken = () => {
    const s = new Connection({ role: 'server' });
    const c = new Connection({ role: 'client' });
    c.receive(Buffer.concat(s.takeOutbound()));
    s.receive(Buffer.concat(c.takeOutbound()));
    c.receive(Buffer.concat(s.takeOutbound()));
    return { c, s };
  };

  /** Deliver what `from` queued to `to`; returns the connection-level WINDOW_UPDATE credit in it. */
  const deliverCredit = (from: Connection, to: Connection) => {
    const out = Buffer.concat(from.takeOutbound());
    let credit = 0;
    for (let at = 0; at < out.length; ) {
      const length = out.readUIntBE(at, 3);
      const frame = decodeFrame(out.subarray(at, at + 9 + length));
      if (frame.kind === 'window_update' && frame.streamId === 0) credit += frame.increment;
      at += 9 + length;
    }
    to.receive(out);
    return credit;
  };

  it('the rest of a DATA frame still arriving is not counted as the reader lagging', () => {
    const { c, s } = handshaken();
    const id = c.request([...GET.map(([n, v]) => [n, v] as [string, string])], true);
    s.receive(Buffer.concat(c.takeOutbound()));
    s.respond(id, [...OK]);
    s.write(id, new Uint8Array(65_535), true); // one frame: the whole stream window
    const bytes = Buffer.concat(s.takeOutbound());
    const cut = bytes.length - 65_435; // the frame header and 100 bytes of its payload come first
    // The first DATA starts a BDP sample; the reader has not consumed those 100 bytes yet.
    expect(of(c.receive(bytes.subarray(0, cut)), 'DataReceived')[0]!.data.length).toBe(100);
    s.receive(Buffer.concat(c.takeOutbound()));
    const ack = Buffer.concat(s.takeOutbound());
    // The rest of the frame and the PING's ACK in one batch: 100 bytes were unread when it began,
    // not a whole window, so the sample (the whole window in one round trip) grows the window.
    c.receive(Buffer.concat([bytes.subarray(cut), ack]));
    expect(c.localSettings.initialWindowSize).toBe(131_070);
  });

  it('a stream reset while its DATA frame arrives drops the rest; the connection credit returns once', () => {
    const { c, s } = handshaken();
    const sent = 20 * 30_000;
    let credit = 0;
    let delivered = 0;
    for (let i = 0; i < 20; i++) {
      const id = c.request([...GET.map(([n, v]) => [n, v] as [string, string])]);
      c.write(id, new Uint8Array(30_000));
      const bytes = Buffer.concat(c.takeOutbound());
      const cut = bytes.length - 20_000; // 10,000 bytes of the DATA payload arrive before the reset
      delivered += of(s.receive(bytes.subarray(0, cut)), 'DataReceived').reduce(
        (n, e) => n + e.data.length,
        0,
      );
      s.resetStream(id, ErrorCode.Cancel);
      expect(of(s.receive(bytes.subarray(cut)), 'DataReceived')).toEqual([]);
      credit += deliverCredit(s, c);
    }
    expect(delivered).toBe(20 * 10_000);
    // Credit goes back in quarter-window steps (1 MiB connection window): never more than was sent.
    expect(credit).toBeLessThanOrEqual(sent);
    expect(credit).toBeGreaterThan(sent - 262_144);
  });

  it('data consumed after its stream closed is not credited twice (the close returned it)', () => {
    const { c, s } = handshaken();
    let credit = 0;
    const sent = 20 * 30_000;
    for (let i = 0; i < 20; i++) {
      // A request whose body the server application has not read when the stream closes.
      const id = c.request([...GET.map(([n, v]) => [n, v] as [string, string])]);
      c.write(id, new Uint8Array(30_000), true);
      s.receive(Buffer.concat(c.takeOutbound()));
      s.respond(id, [...OK], true);
      credit += deliverCredit(s, c);
      s.consume(id, 30_000); // the application reads it afterwards
      credit += deliverCredit(s, c);
    }
    expect(credit).toBeLessThanOrEqual(sent);
    expect(credit).toBeGreaterThan(sent - 262_144);
  });

  it('a stream sending alone uses frames up to the peer MAX_FRAME_SIZE, cut where large writes end', () => {
    const { c, s, pump } = pair({ settings: { initialWindowSize: 1 << 24, maxFrameSize: 100_000 } }, {});
    const id = c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])]);
    pump();
    s.conn.respond(id, [...OK]);
    // 250,000 bytes in writes of 150,000 and 100,000, then 10 of 1,000 (small writes may be joined).
    s.conn.write(id, new Uint8Array(150_000).fill(1));
    s.conn.write(id, new Uint8Array(100_000).fill(2));
    for (let i = 0; i < 10; i++) s.conn.write(id, new Uint8Array(1_000).fill(3));
    s.conn.write(id, new Uint8Array(0), true);
    const frames = pump().filter((f) => f.type === FrameType.Data && f.from === 'server');
    expect(frames.map((f) => f.length)).toEqual([100_000, 50_000, 100_000, 10_000]);
    expect(frames.at(-1)!.flags & Flag.EndStream).toBe(Flag.EndStream);
    const data = Buffer.concat(of(c.events, 'DataReceived').map((e) => e.data));
    expect(data.length).toBe(260_000);
    expect([data[0], data[149_999], data[150_000], data[249_999], data[250_000], data.at(-1)]).toEqual([
      1, 1, 2, 2, 3, 3,
    ]);
  });

  it('queues requests beyond the peer MAX_CONCURRENT_STREAMS and opens them as streams close', () => {
    const { c, s, pump } = pair({}, { settings: { maxConcurrentStreams: 2 } });
    pump();
    const ids = [1, 2, 3, 4, 5].map(() =>
      c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])], true),
    );
    pump();
    expect(of(s.events, 'HeadersReceived').map((e) => e.streamId)).toEqual([1, 3]);
    for (const id of ids) {
      s.conn.respond(id, [...OK], true);
      pump();
    }
    expect(of(s.events, 'HeadersReceived').map((e) => e.streamId)).toEqual([1, 3, 5, 7, 9]);
    expect(of(c.events, 'StreamOpened').map((e) => e.streamId)).toEqual([5, 7, 9]);
    expect(of(c.events, 'StreamClosed')).toHaveLength(5);
  });

  it('opens at most 100 streams before the server SETTINGS arrive, the rest once they allow', () => {
    const { c, s, pump } = pair({}, { settings: { maxConcurrentStreams: 150 } });
    const ids = Array.from({ length: 200 }, () =>
      c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])], true),
    );
    // Before any SETTINGS: the client's first flight carries 100 requests.
    const first = s.conn.receive(Buffer.concat(c.conn.takeOutbound()));
    expect(of(first, 'HeadersReceived')).toHaveLength(100);
    expect(of(first, 'StreamReset')).toHaveLength(0);
    s.events.push(...first);
    pump(); // the server's SETTINGS (150) reach the client: 50 more open
    expect(of(s.events, 'HeadersReceived')).toHaveLength(150);
    for (const id of ids) {
      if (s.conn.streamCount === 0) break;
      s.conn.respond(id, [...OK], true);
      pump();
    }
    expect(of(s.events, 'HeadersReceived')).toHaveLength(200);
    expect(of(s.events, 'StreamReset')).toHaveLength(0);
    expect(of(c.events, 'StreamClosed')).toHaveLength(200);
  });

  it('refuses streams opened beyond its own limit with REFUSED_STREAM (retryable)', () => {
    const s = new Connection({ role: 'server', settings: { maxConcurrentStreams: 1 } });
    const c = new Connection({ role: 'client' });
    // A client that ignores the limit: feed the server two requests before it sees the SETTINGS.
    c.request([...GET.map(([n, v]) => [n, v] as [string, string])]);
    c.request([...GET.map(([n, v]) => [n, v] as [string, string])]);
    const events = s.receive(Buffer.concat(c.takeOutbound()));
    expect(of(events, 'HeadersReceived')).toHaveLength(1);
    expect(of(events, 'StreamReset')[0]).toMatchObject({
      streamId: 3,
      code: ErrorCode.RefusedStream,
      retryable: true,
    });
  });
});

describe('Connection core: GOAWAY', () => {
  it('reports each waiting request once as retryable', () => {
    const { c, s, pump } = pair({}, { settings: { maxConcurrentStreams: 1 } });
    pump();
    const ids = [0, 1, 2].map(() =>
      c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])], true),
    );
    pump();
    s.conn.goaway(ErrorCode.NoError, ids[0]);
    pump();
    expect(of(c.events, 'StreamReset').map((e) => e.streamId)).toEqual([ids[1], ids[2]]);
  });

  it('reports streams above the last stream id as retryable', () => {
    const { c, s, pump } = pair();
    const a = c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])], true);
    pump();
    const b = c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])], true);
    s.conn.goaway(ErrorCode.NoError, a);
    pump();
    expect(of(c.events, 'GoawayReceived')[0]).toMatchObject({ lastStreamId: a, code: 0 });
    expect(of(c.events, 'StreamReset')).toEqual([expect.objectContaining({ streamId: b, retryable: true })]);
    expect(() => c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])])).toThrow(
      expect.objectContaining({ code: 'MUX_ERR_INVALID_STATE' }),
    );
  });
});

describe('Connection core: protocol errors', () => {
  /** Bytes a client would send: preface, empty SETTINGS, then `frames`. */
  const fromClient = (...frames: Uint8Array[]) =>
    Buffer.concat([CLIENT_PREFACE, encodeSettings([]), ...frames]);
  const goawayCode = (out: Uint8Array[]) => {
    const bytes = Buffer.concat(out);
    let at = 0;
    while (at + 9 <= bytes.length) {
      const len = bytes.readUIntBE(at, 3);
      const f = decodeFrame(bytes.subarray(at, at + 9 + len));
      if (f.kind === 'goaway') return f.code;
      at += 9 + len;
    }
    return undefined;
  };
  const connectionError = (bytes: Uint8Array) => {
    const s = new Connection({ role: 'server' });
    const events = s.receive(bytes);
    const err = of(events, 'ConnectionError')[0];
    return { err, goaway: goawayCode(s.takeOutbound()), alive: s.alive };
  };

  it('rejects a wrong preface', () => {
    const r = connectionError(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(r.err?.error.code).toBe('MUX_ERR_PROTOCOL');
    expect(r.goaway).toBe(ErrorCode.ProtocolError);
    expect(r.alive).toBe(false);
  });

  it('requires SETTINGS first', () => {
    const ping = Buffer.concat([frameHeader(8, FrameType.Ping, 0, 0), Buffer.alloc(8)]);
    const r = connectionError(Buffer.concat([CLIENT_PREFACE, ping]));
    expect(r.err?.error.message).toMatch(/SETTINGS/);
    expect(r.goaway).toBe(ErrorCode.ProtocolError);
    expect(r.alive).toBe(false);
  });

  it('DATA on an idle stream is a connection PROTOCOL_ERROR', () => {
    const r = connectionError(fromClient(frameHeader(1, FrameType.Data, 0, 1), Uint8Array.of(0)));
    expect(r.goaway).toBe(ErrorCode.ProtocolError);
  });

  it('a frame over SETTINGS_MAX_FRAME_SIZE is FRAME_SIZE_ERROR, detected from its header', () => {
    const r = connectionError(fromClient(frameHeader((1 << 20) + 1, FrameType.Data, 0, 1)));
    expect(r.goaway).toBe(ErrorCode.FrameSizeError);
  });

  it('a header-block frame longer than the header list limit allows is ENHANCE_YOUR_CALM from its header', () => {
    const r = connectionError(fromClient(frameHeader(65_536 + 1025, FrameType.Headers, 0, 1)));
    expect(r.goaway).toBe(ErrorCode.EnhanceYourCalm);
  });

  it('a frame header claiming 1 MiB holds no memory until its bytes arrive', () => {
    const before = process.memoryUsage().arrayBuffers;
    // 200 connections each announce a 1 MiB frame (of an unknown type) and send 10 bytes of it.
    const held = Array.from({ length: 200 }, () => {
      const s = new Connection({ role: 'server' });
      s.receive(fromClient(frameHeader(1 << 20, 0xfa, 0, 0), new Uint8Array(10)));
      return s;
    });
    expect(held.every((s) => s.alive)).toBe(true);
    // Allocating what the headers claim would hold 200 MiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(20 * 2 ** 20);
  });

  it('a CONTINUATION flood is stopped with ENHANCE_YOUR_CALM', () => {
    const c = new Connection({ role: 'client' });
    c.request([...GET.map(([n, v]) => [n, v] as [string, string])]);
    const out = Buffer.concat(c.takeOutbound());
    // Rewrite: HEADERS without END_HEADERS, then 100 empty CONTINUATIONs.
    const flood = [frameHeader(1, FrameType.Headers, 0, 1), Uint8Array.of(0x82)];
    for (let i = 0; i < 100; i++) flood.push(frameHeader(0, FrameType.Continuation, 0, 1));
    expect(out.length).toBeGreaterThan(0);
    const r = connectionError(fromClient(...flood));
    expect(r.goaway).toBe(ErrorCode.EnhanceYourCalm);
  });

  it('an undecodable header block is COMPRESSION_ERROR', () => {
    const r = connectionError(
      fromClient(frameHeader(1, FrameType.Headers, Flag.EndHeaders, 1), Uint8Array.of(0x80)),
    );
    expect(r.goaway).toBe(ErrorCode.CompressionError);
  });

  it('a window overflow is FLOW_CONTROL_ERROR', () => {
    const wu = (inc: number) => {
      const b = Buffer.alloc(13);
      Buffer.from(frameHeader(4, FrameType.WindowUpdate, 0, 0)).copy(b);
      b.writeUInt32BE(inc, 9);
      return b;
    };
    const r = connectionError(fromClient(wu(0x7fffffff)));
    expect(r.goaway).toBe(ErrorCode.FlowControlError);
  });

  it('a malformed request is a stream error: RST_STREAM, and the connection goes on', () => {
    const { c, s, pump } = pair();
    pump();
    c.conn.request(
      [
        [':method', 'GET'],
        [':path', '/'],
        [':scheme', 'http'],
        ['Upper', 'x'],
      ],
      true,
    );
    c.conn.request([...GET.map(([n, v]) => [n, v] as [string, string])], true);
    pump();
    expect(of(s.events, 'StreamReset')[0]).toMatchObject({
      streamId: 1,
      code: ErrorCode.ProtocolError,
      remote: false,
    });
    expect(of(c.events, 'StreamReset')[0]).toMatchObject({
      streamId: 1,
      code: ErrorCode.ProtocolError,
      remote: true,
    });
    expect(of(s.events, 'HeadersReceived').map((e) => e.streamId)).toEqual([3]);
    expect(s.conn.alive).toBe(true);
  });
});
