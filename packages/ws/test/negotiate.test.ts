import { describe, expect, it } from 'vitest';
import { FrameParser } from '../src/frame/decode.js';
import { encodeFrame } from '../src/frame/encode.js';
import { Opcode } from '../src/frame/types.js';
import {
  acceptDeflateOffer,
  acceptDeflateResponse,
  deflateOffer,
  formatExtensions,
  MAX_EXTENSIONS,
  parseExtensions,
  WsConnection,
  type WsError,
} from '../src/index.js';

describe('parseExtensions', () => {
  it('reads names, bare and valued parameters, quoted strings and repeated headers', () => {
    expect(
      parseExtensions(
        'permessage-deflate; client_max_window_bits; server_max_window_bits="10" , x-foo;A=b,permessage-deflate',
      ),
    ).toEqual([
      {
        name: 'permessage-deflate',
        params: [
          ['client_max_window_bits', true],
          ['server_max_window_bits', '10'],
        ],
      },
      { name: 'x-foo', params: [['a', 'b']] },
      { name: 'permessage-deflate', params: [] },
    ]);
  });

  it('refuses malformed values', () => {
    for (const bad of ['', ';x', 'a;', 'a; =1', 'a; b=', 'a; b="1', 'a b', 'a,,b', 'a;b=1 2']) {
      expect(parseExtensions(bad), bad).toBeUndefined();
    }
  });

  it(`caps the list at ${MAX_EXTENSIONS} extensions and parameters`, () => {
    expect(
      parseExtensions(
        Array(MAX_EXTENSIONS + 1)
          .fill('a')
          .join(','),
      ),
    ).toBeUndefined();
    expect(parseExtensions(`a${'; b'.repeat(MAX_EXTENSIONS + 1)}`)).toBeUndefined();
  });

  it('parses a 64 KiB pathological header in linear time', () => {
    const t0 = performance.now();
    expect(parseExtensions(`a; b="${'\\"'.repeat(32_000)}`)).toBeUndefined();
    expect(parseExtensions(`${'a'.repeat(65_000)};`)).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('formats what it parses', () => {
    const h = 'permessage-deflate; server_no_context_takeover; client_max_window_bits=9, x';
    expect(formatExtensions(parseExtensions(h)!)).toBe(h);
  });
});

describe('permessage-deflate negotiation (RFC 7692 §7.1)', () => {
  it('accepts the first valid offer and answers its parameters', () => {
    const r = acceptDeflateOffer(
      'permessage-deflate; foo, permessage-deflate; server_max_window_bits=10; client_max_window_bits',
    );
    expect(r?.response).toBe('permessage-deflate; server_max_window_bits=10');
    expect(r?.params).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 15,
    });
  });

  it('applies server settings, limiting client_max_window_bits only when offered', () => {
    const opts = { serverNoContextTakeover: true, clientMaxWindowBits: 12, serverMaxWindowBits: 11 };
    expect(acceptDeflateOffer('permessage-deflate; client_max_window_bits', opts)?.response).toBe(
      'permessage-deflate; server_no_context_takeover; server_max_window_bits=11; client_max_window_bits=12',
    );
    const r = acceptDeflateOffer('permessage-deflate', opts);
    expect(r?.response).toBe('permessage-deflate; server_no_context_takeover; server_max_window_bits=11');
    expect(r?.params.clientMaxWindowBits).toBe(15);
  });

  it('declines invalid offers: duplicates, bad values, unknown parameters, an 8-bit server window', () => {
    for (const bad of [
      'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
      'permessage-deflate; server_max_window_bits=16',
      'permessage-deflate; server_max_window_bits=010',
      'permessage-deflate; server_max_window_bits',
      'permessage-deflate; client_no_context_takeover=1',
      'permessage-deflate; what',
      'permessage-deflate; server_max_window_bits=8',
      'x-other',
      'permessage-deflate;;',
    ]) {
      expect(acceptDeflateOffer(bad), bad).toBeUndefined();
    }
    expect(acceptDeflateOffer(undefined)).toBeUndefined();
  });

  it('rejects server options out of range', () => {
    expect(() => acceptDeflateOffer('permessage-deflate', { serverMaxWindowBits: 8 })).toThrow(
      expect.objectContaining({ code: 'WS_ERR_INVALID_OPTION' }),
    );
  });

  it('offers as a client and checks the answer', () => {
    expect(deflateOffer()).toBe('permessage-deflate; client_max_window_bits');
    expect(deflateOffer({ serverMaxWindowBits: 10, clientNoContextTakeover: true })).toBe(
      'permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits',
    );
    expect(
      acceptDeflateResponse('permessage-deflate; server_max_window_bits=12; client_max_window_bits=10'),
    ).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 12,
      clientMaxWindowBits: 10,
    });
    for (const [bad, opts] of [
      ['x-other', {}],
      ['permessage-deflate, permessage-deflate', {}],
      ['permessage-deflate; client_max_window_bits', {}],
      ['permessage-deflate; client_max_window_bits=8', {}],
      ['permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 }],
      ['permessage-deflate', { serverNoContextTakeover: true }],
      ['permessage-deflate; nope', {}],
    ] as const) {
      expect(() => acceptDeflateResponse(bad, opts), bad).toThrow(
        expect.objectContaining({ code: 'WS_ERR_INVALID_EXTENSION' }),
      );
    }
  });
});

describe('WsConnection with permessage-deflate', () => {
  const mask = new Uint8Array([1, 2, 3, 4]);
  const frame = (opcode: number, payload: Uint8Array, o: { fin?: boolean; rsv1?: boolean } = {}) =>
    Buffer.concat(encodeFrame(opcode, payload, { ...o, mask }));

  it('reports a compressed message for inflation and validates the inflated text', () => {
    const c = new WsConnection({ role: 'server', perMessageDeflate: true });
    const events = c.receive(
      Buffer.concat([
        frame(Opcode.Text, new Uint8Array([1, 2]), { fin: false, rsv1: true }),
        frame(Opcode.Ping, new Uint8Array([9])),
        frame(Opcode.Continuation, new Uint8Array([3])),
      ]),
    );
    expect(events.map((e) => e.type)).toEqual(['PingReceived', 'CompressedMessageReceived']);
    const compressed = events[1] as { data: Uint8Array; binary: boolean };
    expect([Array.from(compressed.data), compressed.binary]).toEqual([[1, 2, 3], false]);
    expect(c.inflated(new TextEncoder().encode('héllo'), false)).toEqual([
      expect.objectContaining({ type: 'MessageReceived', text: 'héllo' }),
    ]);
    const bad = c.inflated(new Uint8Array([0xc3]), false);
    expect(bad).toEqual([expect.objectContaining({ type: 'ProtocolError' })]);
    expect((bad[0] as { error: WsError }).error.closeCode).toBe(1007);
  });

  it('still refuses RSV1 on a continuation or a control frame (1002)', () => {
    for (const bad of [
      Buffer.concat([
        frame(Opcode.Text, new Uint8Array([1]), { fin: false }),
        frame(Opcode.Continuation, new Uint8Array([1]), { rsv1: true }),
      ]),
      frame(Opcode.Ping, new Uint8Array(0), { rsv1: true }),
    ]) {
      const events = new WsConnection({ role: 'server', perMessageDeflate: true }).receive(bad);
      const err = events.find((e) => e.type === 'ProtocolError') as { error: WsError };
      expect(err.error).toMatchObject({ code: 'WS_ERR_RESERVED_BITS', closeCode: 1002 });
    }
  });

  it('sets RSV1 on the first frame of a compressed message only, and only when negotiated', () => {
    const c = new WsConnection({ role: 'server', perMessageDeflate: true });
    c.send(new Uint8Array([1]), { binary: true, fin: false, compressed: true });
    c.send(new Uint8Array([2]), { binary: true, continuation: true, compressed: true });
    const frames = new FrameParser({ role: 'client', rsv1: true }).push(Buffer.concat(c.takeOutbound()));
    expect(frames.map((f) => [f.fin, f.rsv1, f.opcode])).toEqual([
      [false, true, Opcode.Binary],
      [true, false, Opcode.Continuation],
    ]);
    expect(() => new WsConnection({ role: 'server' }).send(new Uint8Array(1), { compressed: true })).toThrow(
      expect.objectContaining({ code: 'WS_ERR_INVALID_STATE' }),
    );
  });
});
