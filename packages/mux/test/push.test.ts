/** Server push (RFC 9113 §6.6, §8.4): core to core. */
import { describe, expect, it } from 'vitest';
import { Connection } from '../src/connection.js';
import type { ConnectionEvent } from '../src/events.js';
import { encodeHeaderBlock, encodeSettings } from '../src/frame/encode.js';
import { CLIENT_PREFACE, ErrorCode, SettingId } from '../src/frame/types.js';
import { HpackEncoder } from '../src/hpack/encoder.js';
import { exchange } from './exchange.js';

const GET: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':path', '/'],
  [':authority', 'x'],
];

describe('server push', () => {
  it('promises, then answers a pushed request; the client sees the promise and the response', () => {
    const c = new Connection({ role: 'client', settings: { enablePush: true } });
    const s = new Connection({ role: 'server' });
    const ce: ConnectionEvent[] = [];
    const se: ConnectionEvent[] = [];
    const id = c.request(GET, true);
    exchange(c, s, ce, se);
    const pushed = s.push(id, [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/style.css'],
      [':authority', 'x'],
    ]);
    expect(pushed % 2).toBe(0);
    s.respond(pushed, [
      [':status', '200'],
      ['content-type', 'text/css'],
    ]);
    s.write(pushed, Buffer.from('body{}'), true);
    s.respond(id, [[':status', '200']], true);
    exchange(c, s, ce, se);
    const promise = ce.find((e) => e.type === 'PushPromiseReceived');
    expect(promise).toMatchObject({ parentId: id, promisedId: pushed });
    expect(
      ce.filter((e) => e.type === 'HeadersReceived').map((e) => (e as { streamId: number }).streamId),
    ).toEqual([pushed, id]);
    const data = ce.find((e) => e.type === 'DataReceived' && e.streamId === pushed) as { data: Uint8Array };
    expect(Buffer.from(data.data).toString()).toBe('body{}');
    expect(c.streamCount).toBe(0);
    expect(s.streamCount).toBe(0);
  });

  it('the client can refuse a push with RST_STREAM', () => {
    const c = new Connection({ role: 'client', settings: { enablePush: true } });
    const s = new Connection({ role: 'server' });
    const ce: ConnectionEvent[] = [];
    const se: ConnectionEvent[] = [];
    const id = c.request(GET, true);
    exchange(c, s, ce, se);
    const pushed = s.push(id, [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/big'],
      [':authority', 'x'],
    ]);
    exchange(c, s, ce, se);
    c.resetStream(pushed, ErrorCode.Cancel);
    exchange(c, s, ce, se);
    expect(se.find((e) => e.type === 'StreamReset')).toMatchObject({
      streamId: pushed,
      code: ErrorCode.Cancel,
      remote: true,
    });
    expect(() => s.respond(pushed, [[':status', '200']])).toThrow(
      expect.objectContaining({ code: 'MUX_ERR_INVALID_STATE' }),
    );
  });

  it('a server cannot push to a client that disabled push', () => {
    const c = new Connection({ role: 'client' });
    const s = new Connection({ role: 'server' });
    const id = c.request(GET, true);
    exchange(c, s, [], []);
    expect(() => s.push(id, GET)).toThrow(expect.objectContaining({ code: 'MUX_ERR_INVALID_STATE' }));
  });

  it('a PUSH_PROMISE to a client that disabled push is a connection PROTOCOL_ERROR', () => {
    const c = new Connection({ role: 'client' });
    c.request(GET, true);
    c.takeOutbound();
    const out: Uint8Array[] = [encodeSettings([[SettingId.EnablePush, 0]])];
    encodeHeaderBlock(out, 1, new HpackEncoder().encode(GET), false, 16384, 2);
    const events = c.receive(Buffer.concat(out));
    expect(events.find((e) => e.type === 'ConnectionError')).toMatchObject({
      error: { h2Code: ErrorCode.ProtocolError },
    });
  });

  it('a PUSH_PROMISE sent to a server is a connection PROTOCOL_ERROR', () => {
    const s = new Connection({ role: 'server' });
    const out: Uint8Array[] = [CLIENT_PREFACE, encodeSettings([])];
    encodeHeaderBlock(out, 1, new HpackEncoder().encode(GET), false, 16384, 2);
    const events = s.receive(Buffer.concat(out));
    expect(events.find((e) => e.type === 'ConnectionError')).toMatchObject({
      error: { h2Code: ErrorCode.ProtocolError },
    });
  });

  it('a promised POST is refused as malformed (promised requests must be safe)', () => {
    const c = new Connection({ role: 'client', settings: { enablePush: true } });
    const s = new Connection({ role: 'server' });
    const ce: ConnectionEvent[] = [];
    const id = c.request(GET, true);
    exchange(c, s, ce, []);
    s.push(id, [
      [':method', 'POST'],
      [':scheme', 'https'],
      [':path', '/x'],
      [':authority', 'x'],
    ]);
    exchange(c, s, ce, []);
    expect(ce.find((e) => e.type === 'PushPromiseReceived')).toBeUndefined();
    expect(ce.find((e) => e.type === 'StreamReset')).toMatchObject({
      code: ErrorCode.ProtocolError,
      remote: false,
    });
  });
});
