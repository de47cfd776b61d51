import { describe, expect, it } from 'vitest';
import { WsConnection, type WsEvent } from '../src/connection.js';
import { FrameParser } from '../src/frame/decode.js';
import { encodeFrame } from '../src/frame/encode.js';
import { CloseCode, Opcode } from '../src/frame/types.js';

function pair() {
  const client = new WsConnection({ role: 'client' });
  const server = new WsConnection({ role: 'server' });
  const ce: WsEvent[] = [];
  const se: WsEvent[] = [];
  const pump = () => {
    for (let i = 0; i < 20; i++) {
      const a = client.takeOutbound();
      const b = server.takeOutbound();
      if (a.length === 0 && b.length === 0) return;
      if (a.length > 0) se.push(...server.receive(Buffer.concat(a)));
      if (b.length > 0) ce.push(...client.receive(Buffer.concat(b)));
    }
  };
  return { client, server, ce, se, pump };
}
const of = <T extends WsEvent['type']>(events: WsEvent[], type: T) =>
  events.filter((e): e is Extract<WsEvent, { type: T }> => e.type === type);

describe('WsConnection', () => {
  it('exchanges text and binary messages both ways, fragmented or not', () => {
    const { client, server, ce, se, pump } = pair();
    client.send('hello');
    client.send(Buffer.from('frag'), { binary: true, fin: false });
    client.send(Buffer.from('ment'), { continuation: true });
    server.send(Uint8Array.of(1, 2, 3));
    pump();
    expect(
      of(se, 'MessageReceived').map((m) => [m.binary, m.text ?? Buffer.from(m.data).toString()]),
    ).toEqual([
      [false, 'hello'],
      [true, 'fragment'],
    ]);
    expect(Array.from(of(ce, 'MessageReceived')[0]!.data)).toEqual([1, 2, 3]);
  });

  it('default masking keys are fresh for every frame, across refills of the random pool', () => {
    const client = new WsConnection({ role: 'client' });
    const frames = 2000; // the pool holds 512 keys: several refills
    for (let i = 0; i < frames; i++) client.send('a');
    const bytes = Buffer.concat(client.takeOutbound());
    expect(bytes.length).toBe(frames * 7);
    const keys = new Set<number>();
    for (let at = 0; at < bytes.length; at += 7) keys.add(bytes.readUInt32BE(at + 2));
    // 2000 keys drawn from 2^32: a repeat has probability ~5e-4; a reused or constant key repeats.
    expect(keys.size).toBeGreaterThanOrEqual(frames - 1);
    const parsed = new FrameParser({ role: 'server' }).push(bytes);
    expect(parsed.every((f) => Buffer.from(f.payload).toString() === 'a')).toBe(true);
  });

  it('masks every client frame with a fresh key, and the server never masks', () => {
    let n = 0;
    const client = new WsConnection({ role: 'client', randomMask: () => Uint8Array.of(n++, 1, 2, 3) });
    client.send('a');
    client.send('b');
    const bytes = Buffer.concat(client.takeOutbound());
    // Each frame: 2 header bytes, a 4-byte key, 1 masked byte.
    expect(bytes.length).toBe(14);
    expect(bytes[1]! & 0x80).toBe(0x80);
    expect(bytes[2]).toBe(0); // first key starts with 0
    expect(bytes[8]! & 0x80).toBe(0x80);
    expect(bytes[9]).toBe(1); // the second frame has a fresh key
    expect(
      new FrameParser({ role: 'server' }).push(bytes).map((f) => Buffer.from(f.payload).toString()),
    ).toEqual(['a', 'b']);
    const server = new WsConnection({ role: 'server' });
    server.send('x');
    expect(Buffer.concat(server.takeOutbound())[1]! & 0x80).toBe(0);
  });

  it('answers a ping with a pong carrying the same data', () => {
    const { client, server, ce, se, pump } = pair();
    client.ping(Buffer.from('are you there'));
    pump();
    expect(Buffer.from(of(se, 'PingReceived')[0]!.data).toString()).toBe('are you there');
    expect(Buffer.from(of(ce, 'PongReceived')[0]!.data).toString()).toBe('are you there');
    expect(() => server.ping(new Uint8Array(126))).toThrow(
      expect.objectContaining({ code: 'WS_ERR_INVALID_OPTION' }),
    );
  });

  it('runs the close handshake: the code and reason reach the peer, which echoes both', () => {
    const { client, server, ce, se, pump } = pair();
    client.close(CloseCode.GoingAway, 'leaving');
    expect(client.state).toBe('closing');
    pump();
    expect(of(se, 'CloseReceived')[0]).toMatchObject({ code: 1001, reason: 'leaving' });
    expect(of(se, 'Closed')).toHaveLength(1);
    expect(of(ce, 'Closed')[0]).toMatchObject({ code: 1001, reason: 'leaving' });
    expect(client.state).toBe('closed');
    expect(server.state).toBe('closed');
    expect(() => client.send('late')).toThrow(expect.objectContaining({ code: 'WS_ERR_INVALID_STATE' }));
  });

  it('an empty close frame is answered with an empty one and reported as 1005', () => {
    const { client, ce, se, pump } = pair();
    client.close();
    pump();
    expect(of(se, 'CloseReceived')[0]).toMatchObject({ code: CloseCode.NoStatus });
    expect(of(ce, 'CloseReceived')[0]).toMatchObject({ code: CloseCode.NoStatus });
  });

  it('fails fast on invalid UTF-8: close 1007 from the first bad fragment, before the message ends', () => {
    const server = new WsConnection({ role: 'server' });
    const mask = Uint8Array.of(1, 2, 3, 4);
    const first = Buffer.concat(encodeFrame(Opcode.Text, Uint8Array.of(0x61, 0xff), { fin: false, mask }));
    const events = server.receive(first);
    expect(events).toEqual([
      expect.objectContaining({ type: 'ProtocolError', error: expect.objectContaining({ closeCode: 1007 }) }),
    ]);
    const reply = new FrameParser({ role: 'client' }).push(Buffer.concat(server.takeOutbound()));
    expect(reply[0]).toMatchObject({ opcode: Opcode.Close });
    expect((reply[0]!.payload[0]! << 8) | reply[0]!.payload[1]!).toBe(1007);
    expect(server.receive(Buffer.from(encodeFrame(Opcode.Text, Buffer.from('x'), { mask })[0]!))).toEqual([]);
  });

  it('a protocol violation queues a close with its code (1002 for an unmasked client frame)', () => {
    const server = new WsConnection({ role: 'server' });
    const events = server.receive(Buffer.concat(encodeFrame(Opcode.Text, Buffer.from('hi'))));
    expect(events[0]).toMatchObject({
      type: 'ProtocolError',
      error: { code: 'WS_ERR_MASK_REQUIRED', closeCode: 1002 },
    });
    const reply = new FrameParser({ role: 'client' }).push(Buffer.concat(server.takeOutbound()));
    expect((reply[0]!.payload[0]! << 8) | reply[0]!.payload[1]!).toBe(1002);
  });

  it('bounds the fragments of one message', () => {
    const server = new WsConnection({ role: 'server', maxFragments: 10 });
    const mask = Uint8Array.of(9, 9, 9, 9);
    const parts = [Buffer.concat(encodeFrame(Opcode.Binary, Uint8Array.of(1), { fin: false, mask }))];
    for (let i = 0; i < 20; i++)
      parts.push(Buffer.concat(encodeFrame(Opcode.Continuation, Uint8Array.of(1), { fin: false, mask })));
    const events = server.receive(Buffer.concat(parts));
    expect(events.at(-1)).toMatchObject({
      type: 'ProtocolError',
      error: { code: 'WS_ERR_MESSAGE_TOO_BIG', closeCode: 1009 },
    });
  });

  it('a text message split inside a UTF-8 sequence across fragments is fine', () => {
    const { client, se, pump } = pair();
    const euro = Buffer.from('€');
    client.send(euro.subarray(0, 1), { binary: false, fin: false });
    client.send(euro.subarray(1), { continuation: true });
    pump();
    expect(of(se, 'MessageReceived')[0]!.text).toBe('€');
  });
});

describe('reading one message at a time (maxMessages)', () => {
  const mask = new Uint8Array([5, 6, 7, 8]);
  const frame = (opcode: number, payload: Uint8Array, fin = true) =>
    encodeFrame(opcode, payload, { fin, mask });
  const bytes = (...frames: Uint8Array[][]) => Buffer.concat(frames.flat());

  it('stops after each message; the frames behind it, a close and a violation included, wait', () => {
    const server = new WsConnection({ role: 'server' });
    const input = bytes(
      frame(Opcode.Text, Buffer.from('a')),
      frame(Opcode.Ping, Buffer.from('p')),
      frame(Opcode.Binary, Buffer.from('b')),
      frame(Opcode.Continuation, Buffer.from('bad')),
    );
    expect(server.receive(input, 1).map((e) => e.type)).toEqual(['MessageReceived']);
    expect(server.takeOutbound()).toEqual([]); // nothing sent yet: the reply to 'a' can go first
    server.send('reply');
    expect(server.receive(new Uint8Array(0), 1).map((e) => e.type)).toEqual([
      'PingReceived',
      'MessageReceived',
    ]);
    const last = server.receive(new Uint8Array(0), 1);
    expect(last.map((e) => e.type)).toEqual(['ProtocolError']);
    const sent = new FrameParser({ role: 'client' }).push(Buffer.concat(server.takeOutbound()));
    expect(sent.map((f) => f.opcode)).toEqual([Opcode.Text, Opcode.Pong, Opcode.Close]);
  });

  it('answers pings within the budget, regains it over time, and closes 1008 past it', () => {
    let now = 0;
    const server = new WsConnection({ role: 'server', pingBudget: { rate: 50, burst: 200 }, now: () => now });
    const mask = Uint8Array.of(1, 2, 3, 4);
    const pings = (n: number) =>
      Buffer.concat(
        Array.from({ length: n }, () => Buffer.concat(encodeFrame(Opcode.Ping, Uint8Array.of(7), { mask }))),
      );
    const count = () => new FrameParser({ role: 'client' }).push(Buffer.concat(server.takeOutbound()));
    expect(of(server.receive(pings(200)), 'PingReceived')).toHaveLength(200);
    expect(count().filter((f) => f.opcode === Opcode.Pong)).toHaveLength(200);
    now += 1000; // 50 more
    expect(of(server.receive(pings(50)), 'PingReceived')).toHaveLength(50);
    count();
    const flood = server.receive(pings(1));
    expect(of(flood, 'ProtocolError')[0]?.error).toMatchObject({ code: 'WS_ERR_FLOOD', closeCode: 1008 });
    expect(count().map((f) => f.opcode)).toEqual([Opcode.Close]);
  });
});
