/**
 * Our equivalents of the Autobahn test suite's sections 1-7 and 9, run as its fuzzing client runs
 * them: a raw TCP client sends hand-built frames (some split into many writes) to a weft echo
 * server and checks every frame that comes back and the close code. Case numbers follow Autobahn's.
 */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameParser } from '../../src/frame/decode.js';
import { encodeFrame } from '../../src/frame/encode.js';
import { Opcode } from '../../src/frame/types.js';
import { type WebSocket, WebSocketServer } from '../../src/node/index.js';

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

/** One masked client frame; `rsv` sets RSV bits (0x40 RSV1, 0x20 RSV2, 0x10 RSV3). */
function fr(
  opcode: number,
  payload: string | Uint8Array = '',
  o: { fin?: boolean; rsv?: number } = {},
): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.concat(encodeFrame(opcode, bytes, { fin: o.fin ?? true, mask: MASK }));
  out[0]! |= o.rsv ?? 0;
  return out;
}
const close = (code?: number, reason = '') => {
  if (code === undefined) return fr(Opcode.Close);
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return fr(Opcode.Close, b);
};
/** Split bytes into writes of `n`. */
const chunks = (b: Buffer, n: number) =>
  Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));

interface Outcome {
  /** What came back, in order: 'text:<len>', 'binary:<len>', 'pong:<payload>', 'close:<code>'. */
  frames: string[];
  texts: string[];
  binaries: Buffer[];
}

let port: number;

/** Handshake, send each write in order (one per event-loop turn), answer the server's close, collect. */
function exchange(writes: Buffer[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const parser = new FrameParser({ role: 'client', maxPayload: 64 << 20 });
    const out: Outcome = { frames: [], texts: [], binaries: [] };
    let head = Buffer.alloc(0);
    let upgraded = false;
    let parts: Buffer[] = [];
    let opcode = 0;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within 20 s; got ${out.frames.join(' ')}`));
    }, 20_000);
    const onFrames = (data: Buffer) => {
      for (const f of parser.push(data)) {
        if (f.opcode === Opcode.Pong) out.frames.push(`pong:${Buffer.from(f.payload).toString()}`);
        else if (f.opcode === Opcode.Close) {
          const code = f.payload.length >= 2 ? (f.payload[0]! << 8) | f.payload[1]! : 1005;
          out.frames.push(`close:${code}`);
          s.end(close(code === 1005 ? undefined : 1000));
        } else {
          if (f.opcode !== Opcode.Continuation) opcode = f.opcode;
          parts.push(Buffer.from(f.payload));
          if (f.fin) {
            const msg = Buffer.concat(parts);
            parts = [];
            out.frames.push(`${opcode === Opcode.Text ? 'text' : 'binary'}:${msg.length}`);
            if (opcode === Opcode.Text) out.texts.push(msg.toString());
            else out.binaries.push(msg);
          }
        }
      }
    };
    s.on('data', (c: Buffer) => {
      if (upgraded) return onFrames(c);
      head = Buffer.concat([head, c]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      expect(head.subarray(0, 12).toString()).toBe('HTTP/1.1 101');
      const rest = head.subarray(end + 4);
      let i = 0;
      const next = () => {
        if (i < writes.length && !s.destroyed && s.writable) {
          s.write(writes[i++]!);
          setImmediate(next);
        }
      };
      next();
      if (rest.length > 0) onFrames(rest);
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    s.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
  });
}

let server: WebSocketServer;
beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (ws: WebSocket) => {
    ws.on('error', () => {});
    ws.on('message', (d: Buffer, binary: boolean) => ws.send(d, { binary }));
  });
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const LENGTHS = [0, 125, 126, 127, 128, 65_535, 65_536];

describe('Autobahn 1: framing', () => {
  for (const [i, n] of LENGTHS.entries()) {
    it(`1.1.${i + 1} text of ${n} bytes; 1.2.${i + 1} binary of ${n}`, async () => {
      const o = await exchange([
        fr(Opcode.Text, '*'.repeat(n)),
        fr(Opcode.Binary, Buffer.alloc(n, 0xfe)),
        close(1000),
      ]);
      expect(o.frames).toEqual([`text:${n}`, `binary:${n}`, 'close:1000']);
      expect(o.binaries[0]!.equals(Buffer.alloc(n, 0xfe))).toBe(true);
    });
  }
  it('1.1.8 / 1.2.8: 65,536 bytes written in 997-byte chunks', async () => {
    const writes = [
      ...chunks(fr(Opcode.Text, '*'.repeat(65_536)), 997),
      ...chunks(fr(Opcode.Binary, Buffer.alloc(65_536, 1)), 997),
      close(1000),
    ];
    expect((await exchange(writes)).frames).toEqual(['text:65536', 'binary:65536', 'close:1000']);
  });
});

describe('Autobahn 2: pings and pongs', () => {
  it('2.1-2.4: pings without payload, with text, binary and 125 bytes are answered with the same payload', async () => {
    const o = await exchange([
      fr(Opcode.Ping),
      fr(Opcode.Ping, 'Hello, world!'),
      fr(Opcode.Ping, Buffer.from([0, 0xff, 0xfe])),
      fr(Opcode.Ping, 'p'.repeat(125)),
      close(1000),
    ]);
    expect(o.frames).toEqual([
      'pong:',
      'pong:Hello, world!',
      `pong:${Buffer.from([0, 0xff, 0xfe]).toString()}`,
      `pong:${'p'.repeat(125)}`,
      'close:1000',
    ]);
  });
  it('2.5: a 126-byte ping fails with 1002', async () => {
    expect((await exchange([fr(Opcode.Ping, 'p'.repeat(126))])).frames).toEqual(['close:1002']);
  });
  it('2.6: a 125-byte ping written one byte at a time', async () => {
    expect((await exchange([...chunks(fr(Opcode.Ping, 'q'.repeat(125)), 1), close(1000)])).frames).toEqual([
      `pong:${'q'.repeat(125)}`,
      'close:1000',
    ]);
  });
  it('2.7-2.9: unsolicited pongs are ignored, a ping after them answered', async () => {
    expect(
      (
        await exchange([
          fr(Opcode.Pong),
          fr(Opcode.Pong, 'unsolicited'),
          fr(Opcode.Ping, 'after'),
          close(1000),
        ])
      ).frames,
    ).toEqual(['pong:after', 'close:1000']);
  });
  it('2.10-2.11: ten pings, back to back and chunked, get ten pongs in order', async () => {
    const pings = Array.from({ length: 10 }, (_, i) => fr(Opcode.Ping, `ping ${i}`));
    const want = Array.from({ length: 10 }, (_, i) => `pong:ping ${i}`);
    expect((await exchange([Buffer.concat(pings), close(1000)])).frames).toEqual([...want, 'close:1000']);
    expect((await exchange([...chunks(Buffer.concat(pings), 1), close(1000)])).frames).toEqual([
      ...want,
      'close:1000',
    ]);
  });
});

describe('Autobahn 3: reserved bits', () => {
  for (const [id, rsv, first] of [
    ['3.1', 0x40, fr(Opcode.Text, 'x', { rsv: 0x40 })],
    ['3.2', 0x20, Buffer.concat([fr(Opcode.Text, 'ok'), fr(Opcode.Text, 'x', { rsv: 0x20 })])],
    ['3.3', 0x60, Buffer.concat([fr(Opcode.Text, 'ok'), fr(Opcode.Text, 'x', { rsv: 0x60 })])],
    ['3.4', 0x10, fr(Opcode.Text, 'x', { rsv: 0x10 })],
    ['3.5', 0x50, fr(Opcode.Binary, Buffer.from([1]), { rsv: 0x50 })],
    ['3.6', 0x30, fr(Opcode.Ping, 'x', { rsv: 0x30 })],
    ['3.7', 0x70, close(1000).fill(0xf0 | Opcode.Close, 0, 1)],
  ] as const) {
    it(`${id}: RSV bits 0x${rsv.toString(16)} without an extension fail with 1002`, async () => {
      const o = await exchange([first, fr(Opcode.Ping, 'never answered')]);
      expect(o.frames.filter((f) => f.startsWith('close') || f.startsWith('pong'))).toEqual(['close:1002']);
    });
  }
});

describe('Autobahn 4: opcodes', () => {
  for (const op of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    it(`4.x: reserved opcode 0x${op.toString(16)} after a valid message fails with 1002`, async () => {
      const o = await exchange([fr(Opcode.Text, 'before'), fr(op, 'payload'), fr(Opcode.Ping, 'after')]);
      expect(o.frames).toEqual(['text:6', 'close:1002']);
    });
  }
});

describe('Autobahn 5: fragmentation', () => {
  it('5.1-5.2: fragmented ping and pong fail with 1002', async () => {
    expect(
      (await exchange([fr(Opcode.Ping, 'a', { fin: false }), fr(Opcode.Continuation, 'b')])).frames,
    ).toEqual(['close:1002']);
    expect(
      (await exchange([fr(Opcode.Pong, 'a', { fin: false }), fr(Opcode.Continuation, 'b')])).frames,
    ).toEqual(['close:1002']);
  });
  it('5.3-5.5: a text message in two fragments, together, chunked and one frame per write', async () => {
    const msg = [fr(Opcode.Text, 'frag', { fin: false }), fr(Opcode.Continuation, 'ment')];
    expect((await exchange([Buffer.concat(msg), close(1000)])).texts).toEqual(['fragment']);
    expect((await exchange([...chunks(Buffer.concat(msg), 1), close(1000)])).texts).toEqual(['fragment']);
  });
  it('5.6-5.8: a ping between fragments is answered first', async () => {
    const o = await exchange([
      fr(Opcode.Text, 'frag', { fin: false }),
      fr(Opcode.Ping, 'between'),
      fr(Opcode.Continuation, 'ment'),
      close(1000),
    ]);
    expect(o.frames).toEqual(['pong:between', 'text:8', 'close:1000']);
  });
  it('5.9-5.14: a continuation with nothing to continue fails with 1002', async () => {
    for (const first of [fr(Opcode.Continuation, 'x'), fr(Opcode.Continuation, 'x', { fin: false })]) {
      expect((await exchange([first, fr(Opcode.Text, 'after')])).frames).toEqual(['close:1002']);
    }
  });
  it('5.15: a complete message, then a continuation fails with 1002 after the echo', async () => {
    const o = await exchange([
      fr(Opcode.Text, 'a', { fin: false }),
      fr(Opcode.Continuation, 'b'),
      fr(Opcode.Continuation, 'c'),
      fr(Opcode.Text, 'd'),
    ]);
    expect(o.frames).toEqual(['text:2', 'close:1002']);
  });
  it('5.18: a new text frame inside a fragmented message fails with 1002', async () => {
    expect((await exchange([fr(Opcode.Text, 'a', { fin: false }), fr(Opcode.Text, 'b')])).frames).toEqual([
      'close:1002',
    ]);
  });
  it('5.19-5.20: five fragments with pings between, sent at once and chunked', async () => {
    const writes = [
      fr(Opcode.Text, 'f1', { fin: false }),
      fr(Opcode.Continuation, 'f2', { fin: false }),
      fr(Opcode.Ping, 'p1'),
      fr(Opcode.Continuation, 'f3', { fin: false }),
      fr(Opcode.Continuation, 'f4', { fin: false }),
      fr(Opcode.Ping, 'p2'),
      fr(Opcode.Continuation, 'f5'),
      close(1000),
    ];
    for (const w of [writes, chunks(Buffer.concat(writes), 3)]) {
      const o = await exchange(w);
      expect(o.frames).toEqual(['pong:p1', 'pong:p2', 'text:10', 'close:1000']);
      expect(o.texts).toEqual(['f1f2f3f4f5']);
    }
  });
});

const KOSME = Buffer.from('cebae1bdb9cf83cebcceb5', 'hex'); // "κόσμε", the Autobahn 6.2 string
describe('Autobahn 6: UTF-8', () => {
  it('6.1: empty text messages, fragmented and not', async () => {
    const o = await exchange([
      fr(Opcode.Text),
      fr(Opcode.Text, '', { fin: false }),
      fr(Opcode.Continuation, '', { fin: false }),
      fr(Opcode.Continuation),
      close(1000),
    ]);
    expect(o.frames).toEqual(['text:0', 'text:0', 'close:1000']);
  });
  it('6.2: valid UTF-8 split into fragments at every byte boundary', async () => {
    const writes: Buffer[] = [];
    for (let cut = 1; cut < KOSME.length; cut++) {
      writes.push(
        fr(Opcode.Text, KOSME.subarray(0, cut), { fin: false }),
        fr(Opcode.Continuation, KOSME.subarray(cut)),
      );
    }
    const o = await exchange([...writes, close(1000)]);
    expect(o.texts).toEqual(Array(KOSME.length - 1).fill(KOSME.toString()));
  });
  for (const [name, hex] of [
    ['6.3 a surrogate inside κόσμε', 'cebae1bdb9cf83cebcceb5eda080656469746564'],
    ['6.6 a truncated sequence at the end', 'cebae1bdb9cf83cebcceb5ed'],
    ['6.8 five- and six-byte forms', 'f888808080'],
    ['6.9 a code point over U+10FFFF', 'f4908080'],
    ['6.12 an unexpected continuation byte', '80'],
    ['6.14 a lone start byte followed by a space', 'c020'],
    ['6.17 an overlong form of /', 'c0af'],
    ['6.19 a high surrogate', 'edadbf'],
    ['6.21 a surrogate pair', 'eda080edb080'],
  ] as const) {
    it(`${name} fails with 1007`, async () => {
      expect((await exchange([fr(Opcode.Text, Buffer.from(hex, 'hex'))])).frames).toEqual(['close:1007']);
    });
  }
  it('6.4: fails fast, on the fragment carrying the invalid byte, before the message ends', async () => {
    const o = await exchange([
      fr(Opcode.Text, Buffer.from('cebae1bdb9cf83cebcceb5f4908080', 'hex'), { fin: false }),
    ]);
    expect(o.frames).toEqual(['close:1007']);
  });
});

describe('Autobahn 7: closing', () => {
  it('7.1.1: a message then close: echo, then close 1000', async () => {
    expect((await exchange([fr(Opcode.Text, 'Hello'), close(1000)])).frames).toEqual([
      'text:5',
      'close:1000',
    ]);
  });
  it('7.1.2-7.1.5: after the close frame nothing more is read (close, ping, text, fragments)', async () => {
    const o = await exchange([
      Buffer.concat([close(1000), close(1000), fr(Opcode.Ping, 'x'), fr(Opcode.Text, 'y')]),
    ]);
    expect(o.frames).toEqual(['close:1000']);
    const frag = await exchange([
      Buffer.concat([fr(Opcode.Text, 'a', { fin: false }), close(1000), fr(Opcode.Continuation, 'b')]),
    ]);
    expect(frag.frames).toEqual(['close:1000']);
  });
  it('7.3.1: an empty close is answered with an empty close', async () => {
    expect((await exchange([close()])).frames).toEqual(['close:1005']);
  });
  it('7.3.2: a 1-byte close payload fails with 1002', async () => {
    expect((await exchange([fr(Opcode.Close, Buffer.from([0x03]))])).frames).toEqual(['close:1002']);
  });
  it('7.3.3-7.3.5: close 1000 with no reason, a reason and a 123-byte reason', async () => {
    for (const reason of ['', 'Hello World!', 'r'.repeat(123)]) {
      expect((await exchange([close(1000, reason)])).frames).toEqual(['close:1000']);
    }
  });
  it('7.3.6: a 124-byte reason (126-byte control frame) fails with 1002', async () => {
    expect((await exchange([close(1000, 'r'.repeat(124))])).frames).toEqual(['close:1002']);
  });
  it('7.5.1: a close reason that is not UTF-8 fails with 1007', async () => {
    expect(
      (await exchange([fr(Opcode.Close, Buffer.from('03e8cebae1bdb9cf83cebcceb5eda080', 'hex'))])).frames,
    ).toEqual(['close:1007']);
  });
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]) {
    it(`7.7: valid close code ${code} is echoed`, async () => {
      expect((await exchange([close(code)])).frames).toEqual([`close:${code}`]);
    });
  }
  for (const code of [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65_535]) {
    it(`7.9: invalid close code ${code} fails with 1002`, async () => {
      expect((await exchange([close(code)])).frames).toEqual(['close:1002']);
    });
  }
});

describe('Autobahn 9: limits and sizes', () => {
  it('9.1-9.2: text and binary of 64 KiB to 16 MiB', async () => {
    for (const n of [1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 23, 1 << 24]) {
      const o = await exchange([
        fr(Opcode.Text, '*'.repeat(n)),
        fr(Opcode.Binary, Buffer.alloc(n, 0xfe)),
        close(1000),
      ]);
      expect(o.frames, `${n} bytes`).toEqual([`text:${n}`, `binary:${n}`, 'close:1000']);
    }
  }, 60_000);
  it('9.3-9.4: 4 MiB in fragments of 64 B to 4 MiB', async () => {
    const total = 1 << 22;
    for (const size of [64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1 << 20, 1 << 22]) {
      const frames: Buffer[] = [];
      for (let at = 0; at < total; at += size) {
        const fin = at + size >= total;
        frames.push(
          fr(at === 0 ? Opcode.Binary : Opcode.Continuation, Buffer.alloc(size, at / size), { fin }),
        );
      }
      const o = await exchange([Buffer.concat(frames), close(1000)]);
      expect(o.frames, `fragments of ${size}`).toEqual([`binary:${total}`, 'close:1000']);
      expect(o.binaries[0]![total - 1]).toBe((total / size - 1) & 0xff);
    }
  }, 60_000);
  it('9.5-9.6: a 1 MiB message written in chunks of 64 B to 4 KiB', async () => {
    for (const size of [64, 128, 256, 512, 1024, 2048, 4096]) {
      const o = await exchange([...chunks(fr(Opcode.Binary, Buffer.alloc(1 << 20, 7)), size), close(1000)]);
      expect(o.frames, `chunks of ${size}`).toEqual([`binary:${1 << 20}`, 'close:1000']);
    }
  }, 60_000);
  it('9.7-9.8: 1,000 small messages back to back', async () => {
    const msgs = Array.from({ length: 1000 }, (_, i) => fr(i % 2 ? Opcode.Binary : Opcode.Text, `m${i}`));
    const o = await exchange([Buffer.concat(msgs), close(1000)]);
    expect(o.frames.length).toBe(1001);
    expect(o.texts.slice(0, 3)).toEqual(['m0', 'm2', 'm4']);
  });
  it('a message over maxPayload (16 MiB) fails with 1009 from its header', async () => {
    const header = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 1, 0, 0, 1, ...MASK]);
    expect((await exchange([header])).frames).toEqual(['close:1009']);
  });
});
