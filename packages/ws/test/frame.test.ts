import { rechunk } from '@weft/framing/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeClose, parseClose } from '../src/close.js';
import { WsError } from '../src/errors.js';
import { type Frame, FrameParser } from '../src/frame/decode.js';
import { encodeFrame } from '../src/frame/encode.js';
import { CloseCode, Opcode } from '../src/frame/types.js';
import { acceptKey, isValidKey } from '../src/handshake.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const text = (f: Frame) => Buffer.from(f.payload).toString();
const parse = (role: 'client' | 'server', bytes: Uint8Array, options = {}) =>
  new FrameParser({ role, ...options }).push(bytes);

function code(role: 'client' | 'server', bytes: Uint8Array, options = {}): [string, number] {
  try {
    parse(role, bytes, options);
  } catch (err) {
    expect(err).toBeInstanceOf(WsError);
    return [(err as WsError).code, (err as WsError).closeCode];
  }
  throw new Error('expected a WsError');
}

describe('RFC 6455 §5.7 examples', () => {
  it('a single-frame unmasked text message', () => {
    const [f] = parse('client', hex('81 05 48 65 6c 6c 6f'));
    expect(f).toMatchObject({ fin: true, opcode: Opcode.Text });
    expect(text(f!)).toBe('Hello');
  });

  it('a single-frame masked text message', () => {
    const [f] = parse('server', hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(text(f!)).toBe('Hello');
    expect(
      Buffer.concat(encodeFrame(Opcode.Text, Buffer.from('Hello'), { mask: hex('37 fa 21 3d') })),
    ).toEqual(Buffer.from(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')));
  });

  it('a fragmented unmasked text message', () => {
    const frames = parse('client', hex('01 03 48 65 6c 80 02 6c 6f'));
    expect(frames.map((f) => [f.fin, f.opcode, text(f)])).toEqual([
      [false, Opcode.Text, 'Hel'],
      [true, Opcode.Continuation, 'lo'],
    ]);
  });

  it('an unmasked ping and a masked pong', () => {
    expect(parse('client', hex('89 05 48 65 6c 6c 6f'))[0]).toMatchObject({ opcode: Opcode.Ping });
    expect(text(parse('server', hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'))[0]!)).toBe('Hello');
  });

  it('256 bytes and 64 KiB binary messages with 16- and 64-bit lengths', () => {
    const small = Buffer.concat([hex('82 7e 01 00'), Buffer.alloc(256, 7)]);
    expect(parse('client', small)[0]!.payload.length).toBe(256);
    expect(Buffer.concat(encodeFrame(Opcode.Binary, Buffer.alloc(256, 7)))).toEqual(small);
    const big = Buffer.concat([hex('82 7f 00 00 00 00 00 01 00 00'), Buffer.alloc(65536, 9)]);
    expect(parse('client', big)[0]!.payload.length).toBe(65536);
    expect(Buffer.concat(encodeFrame(Opcode.Binary, Buffer.alloc(65536, 9)))).toEqual(big);
  });
});

describe('the handshake key (RFC 6455 §1.3)', () => {
  it('derives the RFC example accept value', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    expect(isValidKey('short')).toBe(false);
  });
});

describe('must-fail conditions, each with its close code', () => {
  const cases: [string, 'client' | 'server', string, string, number, object?][] = [
    ['unmasked frame from a client', 'server', '81 00', 'WS_ERR_MASK_REQUIRED', 1002],
    ['masked frame from a server', 'client', '81 80 00 00 00 00', 'WS_ERR_UNEXPECTED_MASK', 1002],
    ['RSV1 without an extension', 'client', 'c1 00', 'WS_ERR_RESERVED_BITS', 1002],
    ['RSV2', 'client', 'a1 00', 'WS_ERR_RESERVED_BITS', 1002],
    ['RSV3', 'client', '91 00', 'WS_ERR_RESERVED_BITS', 1002],
    [
      'RSV1 on a control frame, even with deflate',
      'client',
      'c9 00',
      'WS_ERR_RESERVED_BITS',
      1002,
      { rsv1: true },
    ],
    ['RSV1 on a continuation', 'client', '01 00 c0 00', 'WS_ERR_RESERVED_BITS', 1002, { rsv1: true }],
    ['reserved opcode 3', 'client', '83 00', 'WS_ERR_INVALID_OPCODE', 1002],
    ['reserved opcode 0xb', 'client', '8b 00', 'WS_ERR_INVALID_OPCODE', 1002],
    ['control frame over 125 bytes', 'client', '89 7e 00 7e', 'WS_ERR_CONTROL_TOO_LARGE', 1002],
    ['fragmented control frame', 'client', '09 00', 'WS_ERR_CONTROL_FRAGMENTED', 1002],
    ['continuation without a start', 'client', '80 00', 'WS_ERR_UNEXPECTED_CONTINUATION', 1002],
    [
      'new data frame inside a fragmented message',
      'client',
      '01 01 61 81 01 62',
      'WS_ERR_EXPECTED_CONTINUATION',
      1002,
    ],
    [
      '64-bit length with the top bit set',
      'client',
      '82 7f 80 00 00 00 00 00 00 00',
      'WS_ERR_INVALID_LENGTH',
      1002,
    ],
    ['16-bit length under 126', 'client', '82 7e 00 05', 'WS_ERR_INVALID_LENGTH', 1002],
    [
      'frame over maxPayload (from its header)',
      'client',
      '82 7f 00 00 00 00 01 00 00 01',
      'WS_ERR_MESSAGE_TOO_BIG',
      1009,
    ],
  ];
  for (const [name, role, bytes, expected, close, options] of cases) {
    it(`${name}: ${expected} (${close})`, () => {
      expect(code(role, hex(bytes), options)).toEqual([expected, close]);
    });
  }

  it('a fragmented message over maxPayload fails when its size is known, before its payload arrives', () => {
    const p = new FrameParser({ role: 'client', maxPayload: 100 });
    p.push(Buffer.concat([hex('02 3c'), Buffer.alloc(60)]));
    expect(() => p.push(hex('80 3c'))).toThrow(
      expect.objectContaining({ code: 'WS_ERR_MESSAGE_TOO_BIG', closeCode: 1009 }),
    );
    expect(p.buffered).toBe(0);
  });

  it('control frames may interleave a fragmented message', () => {
    const frames = parse('client', hex('01 01 61 89 00 80 01 62'));
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.Text, Opcode.Ping, Opcode.Continuation]);
  });

  it('RSV1 is accepted on the first frame of a message with permessage-deflate', () => {
    expect(parse('client', hex('c1 00'), { rsv1: true })[0]).toMatchObject({ rsv1: true });
  });
});

describe('close payloads (§5.5.1, §7.4)', () => {
  it('parse and encode codes and reasons', () => {
    expect(parseClose(encodeClose(1000, 'bye'))).toEqual({ code: 1000, reason: 'bye' });
    expect(parseClose(new Uint8Array(0))).toEqual({ code: CloseCode.NoStatus, reason: '' });
    expect(parseClose(encodeClose(4999, 'é'))).toEqual({ code: 4999, reason: 'é' });
  });

  it('reject a 1-byte payload, codes not allowed on the wire, and non-UTF-8 reasons', () => {
    const err = (b: Uint8Array) => {
      try {
        parseClose(b);
      } catch (e) {
        return [(e as WsError).code, (e as WsError).closeCode];
      }
      return undefined;
    };
    expect(err(hex('03'))).toEqual(['WS_ERR_INVALID_CLOSE', 1002]);
    for (const c of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
      expect(err(Uint8Array.of(c >> 8, c & 0xff))).toEqual(['WS_ERR_INVALID_CLOSE', 1002]);
    }
    expect(err(hex('03 e8 ff'))).toEqual(['WS_ERR_INVALID_UTF8', 1007]);
    expect(() => encodeClose(1005)).toThrow(expect.objectContaining({ code: 'WS_ERR_INVALID_OPTION' }));
    expect(() => encodeClose(1000, 'x'.repeat(124))).toThrow(
      expect.objectContaining({ code: 'WS_ERR_INVALID_OPTION' }),
    );
  });
});

describe('properties', () => {
  const frame = fc.record({
    opcode: fc.constantFrom(Opcode.Text, Opcode.Binary),
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ minLength: 65_530, maxLength: 65_540 }),
    ),
    masked: fc.boolean(),
    mask: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  });

  it('any sequence of frames round-trips under any chunking', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 5 }), fc.boolean(), (frames, fromClient) => {
        const bytes = Buffer.concat(
          frames.flatMap((f) => encodeFrame(f.opcode, f.payload, fromClient ? { mask: f.mask } : {})),
        );
        return fc.assert(
          fc.property(rechunk(bytes, { maxSplits: 16 }), (chunks) => {
            const p = new FrameParser({ role: fromClient ? 'server' : 'client' });
            const got = chunks.flatMap((c) => p.push(c));
            expect(got.map((g) => [g.opcode, Buffer.from(g.payload).toString('hex')])).toEqual(
              frames.map((f) => [f.opcode, Buffer.from(f.payload).toString('hex')]),
            );
            expect(p.buffered).toBe(0);
          }),
          { numRuns: 5 },
        );
      }),
      { numRuns: 60 },
    );
  });

  it('random bytes give only WsErrors, with a close code', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('client' as const, 'server' as const),
        (bytes, role) => {
          try {
            new FrameParser({ role, maxPayload: 1000 }).push(bytes);
          } catch (err) {
            expect(err).toBeInstanceOf(WsError);
            expect((err as WsError).closeCode).toBeGreaterThanOrEqual(1002);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
