/**
 * Attacks over real sockets: the attacker's connection gets GOAWAY ENHANCE_YOUR_CALM and is closed,
 * while a well-behaved client on the same server keeps being served.
 */

import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeWindowUpdate,
  frameHeader,
} from '../../src/frame/encode.js';
import { CLIENT_PREFACE, ErrorCode, Flag, FrameType, SettingId } from '../../src/frame/types.js';
import { HpackEncoder } from '../../src/hpack/encoder.js';
import { connect, createServer, type MuxStream } from '../../src/node/index.js';

let server: ReturnType<typeof createServer>;
let port: number;
beforeAll(async () => {
  server = createServer({}, (stream: MuxStream) => {
    stream.on('error', () => {});
    stream.resume();
    stream.on('end', () => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Open a raw socket, send `bytes`, and collect what comes back until the server closes it. */
function attack(bytes: Buffer): Promise<{ goaway: number | undefined; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      let at = 0;
      let goaway: number | undefined;
      while (at + 9 <= all.length) {
        const len = all.readUIntBE(at, 3);
        if (all[at + 3] === FrameType.Goaway && at + 17 <= all.length) goaway = all.readUInt32BE(at + 13);
        at += 9 + len;
      }
      resolve({ goaway, closed: true });
    });
    socket.write(bytes);
  });
}

async function wellBehaved(n: number): Promise<number> {
  const session = connect({ host: '127.0.0.1', port });
  let ok = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const req = session.request({ ':method': 'GET', ':path': '/' }, { endStream: true });
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (Buffer.concat(chunks).toString() === 'ok') ok++;
    }),
  );
  await session.close();
  return ok;
}

/** The HPACK block of a request for `/` (a fresh encoder: no dynamic-table references). */
function requestBlock(method: 'GET' | 'POST'): Uint8Array {
  return new HpackEncoder({ huffman: 'never' }).encode([
    [':method', method],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'x'],
  ]);
}

/** A client's preface, SETTINGS and a POST on stream 1, then `n` DATA frames of one byte each. */
function tinyFrames(n: number): Buffer {
  const block = requestBlock('POST');
  const frames: Uint8Array[] = [
    Buffer.from(CLIENT_PREFACE),
    Buffer.from(encodeSettings([])),
    Buffer.concat([frameHeader(block.length, FrameType.Headers, Flag.EndHeaders, 1), block]),
  ];
  for (let i = 0; i < n; i++)
    frames.push(Buffer.from(frameHeader(1, FrameType.Data, 0, 1)), Buffer.from([0]));
  return Buffer.concat(frames);
}

describe('attacks over sockets, with a well-behaved client on the same server', () => {
  it('Rapid Reset: the attacker gets GOAWAY ENHANCE_YOUR_CALM; the other client is served', async () => {
    const hpack = new HpackEncoder({ huffman: 'never' });
    const parts: Buffer[] = [Buffer.from(CLIENT_PREFACE), Buffer.from(encodeSettings([]))];
    for (let i = 0; i < 5000; i++) {
      const id = 1 + 2 * i;
      const block = hpack.encode([
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/'],
        [':authority', 'x'],
      ]);
      parts.push(
        Buffer.concat([
          frameHeader(block.length, FrameType.Headers, Flag.EndHeaders, id),
          block,
          encodeRstStream(id, ErrorCode.Cancel),
        ]),
      );
    }
    const [result, served] = await Promise.all([attack(Buffer.concat(parts)), wellBehaved(200)]);
    expect(result.goaway).toBe(ErrorCode.EnhanceYourCalm);
    expect(result.closed).toBe(true);
    expect(served).toBe(200);
  });

  it('PING flood: GOAWAY ENHANCE_YOUR_CALM; the other client is served', async () => {
    const pings = Array.from({ length: 5000 }, () => Buffer.from(encodePing(new Uint8Array(8), false)));
    const [result, served] = await Promise.all([
      attack(Buffer.concat([CLIENT_PREFACE, encodeSettings([]), ...pings])),
      wellBehaved(100),
    ]);
    expect(result.goaway).toBe(ErrorCode.EnhanceYourCalm);
    expect(served).toBe(100);
  });

  it('a reader that never opens its window: bounded buffering, then the stream is reset', async () => {
    const { createServer: create } = await import('../../src/node/index.js');
    const errors: string[] = [];
    let queuedMax = 0;
    const slow = create({ sendStallTimeoutMs: 200 }, (stream: MuxStream) => {
      stream.on('error', (e: Error & { code?: string }) => errors.push(e.code ?? ''));
      stream.respond({ ':status': 200 });
      // A well-behaved handler: writes 4 MiB respecting backpressure.
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 4 << 20) {
          sent += chunk.length;
          queuedMax = Math.max(queuedMax, stream.session._core.pendingBytes(stream.id));
          if (!stream.write(chunk)) {
            stream.once('drain', pump);
            return;
          }
        }
        stream.end();
      };
      pump();
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowPort = (slow.address() as AddressInfo).port;
    // The attacker: a request, then silence — no WINDOW_UPDATE ever.
    const block = requestBlock('GET');
    const socket = net.connect({ host: '127.0.0.1', port: slowPort });
    socket.on('error', () => {});
    const got: Buffer[] = [];
    socket.on('data', (c) => got.push(c));
    socket.write(
      Buffer.concat([
        CLIENT_PREFACE,
        encodeSettings([]),
        encodeSettings([], true),
        frameHeader(block.length, FrameType.Headers, Flag.EndHeaders | Flag.EndStream, 1),
        block,
      ]),
    );
    await new Promise((r) => setTimeout(r, 700));
    socket.destroy();
    slow.close();
    expect(errors).toContain('MUX_ERR_TIMEOUT');
    // Never more than the stream high-water mark (4 MiB by default) plus one chunk queued.
    expect(queuedMax).toBeLessThanOrEqual((4 << 20) + 64 * 1024);
    // The attacker received at most the initial window of DATA, then an RST_STREAM (CANCEL).
    const all = Buffer.concat(got);
    let at = 0;
    let data = 0;
    let rst: number | undefined;
    while (at + 9 <= all.length) {
      const len = all.readUIntBE(at, 3);
      if (all[at + 3] === FrameType.Data) data += len;
      if (all[at + 3] === FrameType.RstStream) rst = all.readUInt32BE(at + 9);
      at += 9 + len;
    }
    expect(data).toBeLessThanOrEqual(65_535);
    expect(rst).toBe(ErrorCode.Cancel);
  });

  it('a reader that opens wide windows and never reads the socket: the session ends', async () => {
    const { createServer: create } = await import('../../src/node/index.js');
    const ended: (string | undefined)[] = [];
    const slow = create({ sendStallTimeoutMs: 300 }, (stream: MuxStream) => {
      stream.on('error', () => {});
      stream.respond({ ':status': 200 });
      // A handler that ignores backpressure: 64 MiB at once, every byte allowed by the windows.
      for (let i = 0; i < 64; i++) stream.write(Buffer.alloc(1 << 20));
      stream.end();
    });
    slow.on('session', (session: { on(e: 'error', f: (err: Error & { code?: string }) => void): void }) =>
      session.on('error', (err) => ended.push(err.code)),
    );
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowPort = (slow.address() as AddressInfo).port;
    const block = requestBlock('GET');
    const socket = net.connect({ host: '127.0.0.1', port: slowPort });
    socket.on('error', () => {});
    socket.write(
      Buffer.concat([
        CLIENT_PREFACE,
        encodeSettings([[SettingId.InitialWindowSize, 2 ** 31 - 1]]),
        encodeSettings([], true),
        encodeWindowUpdate(0, 2 ** 31 - 1 - 65_535),
        frameHeader(block.length, FrameType.Headers, Flag.EndHeaders | Flag.EndStream, 1),
        block,
      ]),
    );
    // Never read: the server's socket buffer fills and stays full.
    socket.pause();
    const until = Date.now() + 5000;
    while (ended.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    slow.close();
    expect(ended).toEqual(['MUX_ERR_TIMEOUT']);
  });

  it('a read full of tiny DATA frames yields to the other connections before the next', async () => {
    const seen: boolean[] = [];
    const sessionOpened = new Promise<void>((resolve) =>
      server.once('session', (session: { socket: net.Socket }) => {
        // After the session's own 'data' listener: was the socket paused for this read?
        session.socket.on('data', (chunk: Buffer) =>
          seen.push(chunk.length > 20_000 && session.socket.isPaused()),
        );
        resolve();
      }),
    );
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    await sessionOpened;
    // 20,000 DATA frames of one byte each (within the stream's 65,535-byte window): ~200 KB.
    socket.write(tinyFrames(20_000));
    await new Promise((r) => setTimeout(r, 300));
    socket.destroy();
    expect(seen.some((paused) => paused)).toBe(true);
    expect(await wellBehaved(5)).toBe(5);
  });

  it('a connection of tiny DATA frames is read a slice at a time: no turn of the loop handles more than ~3,000 of them', async () => {
    const { createServer: create } = await import('../../src/node/index.js');
    let count = 0;
    let most = 0;
    let total = 0;
    const tiny = create({
      onRequest: () => ({
        onData: () => {
          count++;
          total++;
        },
      }),
    });
    await new Promise<void>((r) => tiny.listen(0, '127.0.0.1', r));
    let running = true;
    const turn = () => {
      most = Math.max(most, count);
      count = 0;
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    const socket = net.connect({ host: '127.0.0.1', port: (tiny.address() as AddressInfo).port });
    socket.on('error', () => {});
    // 40,000 DATA frames of one byte (within the 65,535-byte window): 64 KiB reads of ~6,500 each.
    socket.write(tinyFrames(40_000));
    const until = Date.now() + 5000;
    while (total < 40_000 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    running = false;
    socket.destroy();
    tiny.close();
    expect(total).toBe(40_000);
    // A batch is YIELD_AFTER_EVENTS (1,024) plus one 4 KiB slice (~410 frames); one turn of the
    // loop runs at most two (a read in the poll phase, a deferred rest in the check phase). A whole
    // 64 KiB read was ~6,500.
    expect(most).toBeLessThanOrEqual(3000);
  });

  it('garbage instead of a preface costs only that connection', async () => {
    const [result, served] = await Promise.all([
      attack(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
      wellBehaved(50),
    ]);
    expect(result.goaway).toBe(ErrorCode.ProtocolError);
    expect(served).toBe(50);
  });
});
