/** RFC 9218 extensible priorities: the field, the scheduler, PRIORITY_UPDATE. */
import { describe, expect, it } from 'vitest';
import { Connection } from '../src/connection.js';
import type { ConnectionEvent } from '../src/events.js';
import { decodeFrame } from '../src/frame/decode.js';
import { FrameType } from '../src/frame/types.js';
import { formatPriority, parsePriority } from '../src/priority.js';

describe('the Priority field (RFC 9218 §4)', () => {
  it('parses urgency and incremental, ignoring what it does not know', () => {
    expect(parsePriority('u=1, i')).toEqual({ urgency: 1, incremental: true, explicit: true });
    expect(parsePriority('i=?0')).toEqual({ urgency: 3, incremental: false, explicit: true });
    expect(parsePriority('u=5;x=1, foo=bar')).toEqual({ urgency: 5, incremental: false, explicit: true });
    expect(parsePriority('u=9')).toBeUndefined();
    expect(parsePriority('u=1.5')).toBeUndefined();
    expect(parsePriority('')).toBeUndefined();
    expect(formatPriority({ urgency: 0, incremental: true })).toBe('u=0, i');
    expect(formatPriority({ urgency: 3 })).toBe('');
  });
});

/** Open `n` requests with the given `priority` headers; the server answers each with `size` bytes. Returns DATA frame order. */
function serve(priorities: (string | undefined)[], size: number): number[] {
  const c = new Connection({
    role: 'client',
    settings: { initialWindowSize: 1 << 24 },
    connectionWindow: 1 << 26,
    autoTuneWindows: false,
  });
  const s = new Connection({ role: 'server', autoTuneWindows: false });
  const ids = priorities.map((p) =>
    c.request(
      [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'x'],
        ...(p === undefined ? [] : [['priority', p] as [string, string]]),
      ],
      true,
    ),
  );
  const se: ConnectionEvent[] = [];
  for (let i = 0; i < 5; i++) {
    const a = c.takeOutbound();
    if (a.length > 0) se.push(...s.receive(Buffer.concat(a)));
    const b = s.takeOutbound();
    if (b.length > 0) c.receive(Buffer.concat(b));
  }
  for (const id of ids) {
    s.respond(id, [[':status', '200']]);
    s.write(id, new Uint8Array(size), true);
  }
  const bytes = Buffer.concat(s.takeOutbound());
  const order: number[] = [];
  let at = 0;
  while (at + 9 <= bytes.length) {
    const len = bytes.readUIntBE(at, 3);
    const f = decodeFrame(bytes.subarray(at, at + 9 + len));
    if (f.kind === 'data' && f.data.length > 0) order.push(f.streamId);
    at += 9 + len;
  }
  return order;
}

describe('the scheduler (RFC 9218 §10)', () => {
  it('serves lower urgency first', () => {
    const order = serve(['u=5', 'u=1', undefined], 40_000);
    // Stream 3 (u=1) completes before stream 5 (u=3, default), which completes before stream 1 (u=5).
    const last = (id: number) => order.lastIndexOf(id);
    const first = (id: number) => order.indexOf(id);
    expect(last(3)).toBeLessThan(first(5));
    expect(last(5)).toBeLessThan(first(1));
  });

  it('serves explicit non-incremental streams of one urgency one at a time, in id order', () => {
    const order = serve(['u=2, i=?0', 'u=2, i=?0'], 40_000);
    expect(order.lastIndexOf(1)).toBeLessThan(order.indexOf(3));
  });

  it('shares the link round-robin among large incremental streams', () => {
    const order = serve(['u=2, i', 'u=2, i'], 60_000);
    expect(order.slice(0, 4)).toEqual([1, 3, 1, 3]);
  });

  it('serves large unsignalled streams in turns: the first finishes before the second starts', () => {
    const order = serve([undefined, undefined], 60_000);
    expect(order.lastIndexOf(1)).toBeLessThan(order.indexOf(3));
  });

  it('serves a small stream before a large one, whatever their order', () => {
    for (const p of ['u=2, i', undefined]) {
      const c = new Connection({ role: 'client', autoTuneWindows: false });
      const s = new Connection({ role: 'server', autoTuneWindows: false });
      const get = (): [string, string][] => [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'x'],
        ...(p === undefined ? [] : [['priority', p] as [string, string]]),
      ];
      const big = c.request(get(), true);
      const small = c.request(get(), true);
      s.receive(Buffer.concat(c.takeOutbound()));
      c.receive(Buffer.concat(s.takeOutbound()));
      s.receive(Buffer.concat(c.takeOutbound()));
      s.respond(big, [[':status', '200']]);
      s.write(big, new Uint8Array(60_000), true);
      s.respond(small, [[':status', '200']]);
      s.write(small, new Uint8Array(100), true);
      const bytes = Buffer.concat(s.takeOutbound());
      const order: number[] = [];
      for (let at = 0; at + 9 <= bytes.length; ) {
        const len = bytes.readUIntBE(at, 3);
        const f = decodeFrame(bytes.subarray(at, at + 9 + len));
        if (f.kind === 'data' && f.data.length > 0) order.push(f.streamId);
        at += 9 + len;
      }
      expect(order[0]).toBe(small);
    }
  });

  it('a client PRIORITY_UPDATE reorders the server', () => {
    const c = new Connection({ role: 'client', autoTuneWindows: false });
    const s = new Connection({ role: 'server', autoTuneWindows: false });
    const a = c.request(
      [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/a'],
        [':authority', 'x'],
      ],
      true,
    );
    const b = c.request(
      [
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/b'],
        [':authority', 'x'],
      ],
      true,
    );
    s.receive(Buffer.concat(c.takeOutbound()));
    c.receive(Buffer.concat(s.takeOutbound()));
    c.setPriority(b, { urgency: 0 });
    const update = Buffer.concat(c.takeOutbound());
    let at = 0;
    let sawUpdate = false;
    while (at + 9 <= update.length) {
      const len = update.readUIntBE(at, 3);
      if (update[at + 3] === FrameType.PriorityUpdate) sawUpdate = true;
      at += 9 + len;
    }
    expect(sawUpdate).toBe(true);
    s.receive(update);
    for (const id of [a, b]) {
      s.respond(id, [[':status', '200']]);
      s.write(id, new Uint8Array(30_000), true);
    }
    const out = Buffer.concat(s.takeOutbound());
    const order: number[] = [];
    at = 0;
    while (at + 9 <= out.length) {
      const len = out.readUIntBE(at, 3);
      if (out[at + 3] === FrameType.Data && len > 0) order.push(out.readUInt32BE(at + 5));
      at += 9 + len;
    }
    expect(order[0]).toBe(b);
  });

  it('PRIORITY_UPDATE for stream 0 or an even id is a connection error', () => {
    const s = new Connection({ role: 'server' });
    const c = new Connection({ role: 'client' });
    s.receive(Buffer.concat(c.takeOutbound()));
    const bad = Buffer.from([0, 0, 5, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x75]);
    const events = s.receive(bad);
    expect(events.some((e) => e.type === 'ConnectionError')).toBe(true);
  });
});
