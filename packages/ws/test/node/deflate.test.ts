/** permessage-deflate (RFC 7692) through node:zlib: interop with the ws package, limits, failures. */
import net, { type AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WsPackage, { WebSocketServer as WsPackageServer } from 'ws';
import { encodeFrame } from '../../src/frame/encode.js';
import { Opcode } from '../../src/frame/types.js';
import { WebSocket, WebSocketServer } from '../../src/node/index.js';

type Peer = {
  on(e: 'message', l: (d: Buffer, binary: boolean) => void): unknown;
  send(d: string | Buffer, o?: { binary?: boolean; fin?: boolean; compress?: boolean }): void;
};

function collect(ws: Peer, n: number): Promise<Array<{ data: Buffer; binary: boolean }>> {
  return new Promise((resolve) => {
    const got: Array<{ data: Buffer; binary: boolean }> = [];
    ws.on('message', (data, binary) => {
      got.push({ data: Buffer.from(data), binary });
      if (got.length === n) resolve(got);
    });
  });
}

const echo = (ws: Peer) => ws.on('message', (d, binary) => ws.send(d, { binary }));
const text = 'the quick brown fox jumps over the lazy dog; '.repeat(30_000); // ~1.3 MB, compressible
const binary = Buffer.from(text.repeat(2));

/** Send compressible text and binary (above the threshold), a tiny one, and 20 with context takeover. */
async function roundTrip(client: Peer): Promise<void> {
  const got = collect(client, 23);
  client.send(text);
  client.send(binary);
  client.send('tiny');
  for (let i = 0; i < 20; i++) client.send(`${i} ${text.slice(0, 2000)}`);
  const msgs = await got;
  expect(msgs[0]!.data.toString()).toBe(text);
  expect(msgs[0]!.binary).toBe(false);
  expect(msgs[1]!.data.equals(binary)).toBe(true);
  expect(msgs[2]!.data.toString()).toBe('tiny');
  expect(msgs.slice(3).map((m) => m.data.toString())).toEqual(
    Array.from({ length: 20 }, (_, i) => `${i} ${text.slice(0, 2000)}`),
  );
}

describe('ws package client (deflate) -> weft server (deflate)', () => {
  let server: WebSocketServer;
  let url: string;
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
    server.on('connection', (ws: WebSocket) => echo(ws as never));
    await new Promise((r) => server.once('listening', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  for (const [name, perMessageDeflate] of [
    ['context takeover', true],
    [
      'no context takeover, 10-bit windows',
      {
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 10,
      },
    ],
  ] as const) {
    it(`compresses both ways (${name})`, async () => {
      const client = new WsPackage(url, { perMessageDeflate });
      await new Promise((r) => client.once('open', r));
      expect(client.extensions).toMatch(/^permessage-deflate/);
      await roundTrip(client as never);
      // The wire carried far less than the ~5.4 MB of payload each way.
      const socket = (client as unknown as { _socket: net.Socket })._socket;
      expect(socket.bytesWritten).toBeLessThan(500_000);
      expect(socket.bytesRead).toBeLessThan(500_000);
      client.close(1000);
      await new Promise((r) => client.once('close', r));
    });
  }

  it('reassembles a compressed fragmented message from ws', async () => {
    const client = new WsPackage(url, { perMessageDeflate: { threshold: 0 } });
    await new Promise((r) => client.once('open', r));
    const got = collect(client as never, 1);
    client.send('frag'.repeat(500), { fin: false });
    client.send('ment'.repeat(500), { fin: true });
    expect((await got)[0]!.data.toString()).toBe('frag'.repeat(500) + 'ment'.repeat(500));
    client.close();
  });

  it('does not negotiate when the server has it off, and the ws client still works', async () => {
    const plain = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    plain.on('connection', (ws: WebSocket) => echo(ws as never));
    await new Promise((r) => plain.once('listening', r));
    const client = new WsPackage(`ws://127.0.0.1:${(plain.address() as AddressInfo).port}`);
    await new Promise((r) => client.once('open', r));
    expect(client.extensions).toBe('');
    const got = collect(client as never, 1);
    client.send(text);
    expect((await got)[0]!.data.toString()).toBe(text);
    client.close();
    await new Promise<void>((r) => plain.close(() => r()));
  });
});

describe('weft client (deflate) -> ws package server (deflate)', () => {
  let server: WsPackageServer;
  let url: string;
  beforeAll(async () => {
    server = new WsPackageServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
    server.on('connection', (ws) => echo(ws as never));
    await new Promise((r) => server.once('listening', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('negotiates by default and compresses both ways', async () => {
    const client = new WebSocket(url);
    await new Promise((r) => client.once('open', r));
    expect(client.extensions).toMatch(/^permessage-deflate/);
    const served = [...server.clients][0]!;
    await roundTrip(client as never);
    const socket = (served as unknown as { _socket: net.Socket })._socket;
    expect(socket.bytesRead).toBeLessThan(500_000);
    expect(socket.bytesWritten).toBeLessThan(500_000);
    client.close(1000, 'done');
    await new Promise((r) => client.once('close', r));
  });

  it('sends compressed fragments, keeps order behind compression, and honours compress: false', async () => {
    const client = new WebSocket(url, undefined, { perMessageDeflate: { threshold: 0 } });
    await new Promise((r) => client.once('open', r));
    const got = collect(client as never, 3);
    client.send('a'.repeat(3000), { fin: false });
    client.send('b'.repeat(3000));
    client.send('c'.repeat(3000), { compress: false });
    client.send(Buffer.from('small'));
    const msgs = await got;
    expect(msgs.map((m) => m.data.toString())).toEqual([
      'a'.repeat(3000) + 'b'.repeat(3000),
      'c'.repeat(3000),
      'small',
    ]);
    const closed = new Promise<number>((r) => client.once('close', r));
    client.close(4002, 'bye');
    expect(await closed).toBe(4002);
  });

  it('can opt out: no offer, no extension', async () => {
    const client = new WebSocket(url, undefined, { perMessageDeflate: false });
    await new Promise((r) => client.once('open', r));
    expect(client.extensions).toBe('');
    client.close();
  });
});

/** A raw client that offers permessage-deflate and sends hand-made frames; resolves with what came back. */
async function rawExchange(port: number, frames: Buffer, later?: Buffer): Promise<Buffer> {
  return new Promise<Buffer>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    s.on('data', (c) => {
      chunks.push(c);
      if (chunks.length === 1) {
        s.write(frames);
        if (later !== undefined) setTimeout(() => s.write(later), 100);
      }
    });
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('error', () => {});
    s.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n',
    );
  });
}

const closeCodeOf = (res: Buffer): number => {
  const body = res.subarray(res.indexOf('\r\n\r\n') + 4);
  expect(body[0]).toBe(0x88);
  return (body[2]! << 8) | body[3]!;
};

describe('weft server: hostile compressed input', () => {
  let server: WebSocketServer;
  let port: number;
  const errors: string[] = [];
  beforeAll(async () => {
    server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      perMessageDeflate: true,
      maxPayload: 1 << 20,
    });
    server.on('connection', (ws: WebSocket) => {
      ws.on('error', (e: { code: string }) => errors.push(e.code));
      echo(ws as never);
    });
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const mask = new Uint8Array([9, 8, 7, 6]);

  it('stops a zip bomb at maxPayload: 64 MiB of zeros in ~64 KB closes with 1009', async () => {
    const bomb = zlib.deflateRawSync(Buffer.alloc(64 << 20), { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    const before = process.memoryUsage().rss;
    const res = await rawExchange(
      port,
      Buffer.concat(encodeFrame(Opcode.Binary, bomb, { rsv1: true, mask })),
    );
    expect(closeCodeOf(res)).toBe(1009);
    expect(errors).toContain('WS_ERR_MESSAGE_TOO_BIG');
    // Inflation stopped near the 1 MiB limit instead of producing 64 MiB.
    expect(process.memoryUsage().rss - before).toBeLessThan(48 << 20);
  });

  it('closes with 1007 on data zlib cannot inflate', async () => {
    const res = await rawExchange(
      port,
      Buffer.concat(encodeFrame(Opcode.Text, Buffer.from([0xff, 0xff, 0xff, 0x00]), { rsv1: true, mask })),
    );
    expect(closeCodeOf(res)).toBe(1007);
    expect(errors).toContain('WS_ERR_INFLATE');
  });

  it('closes with 1007 on compressed text that inflates to invalid UTF-8', async () => {
    const payload = zlib.deflateRawSync(Buffer.from([0x68, 0xc3, 0x28]), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    const res = await rawExchange(
      port,
      Buffer.concat(encodeFrame(Opcode.Text, payload.subarray(0, payload.length - 4), { rsv1: true, mask })),
    );
    expect(closeCodeOf(res)).toBe(1007);
    expect(errors).toContain('WS_ERR_INVALID_UTF8');
  });

  it('delivers a valid compressed message, then acts on the ping behind it', async () => {
    const payload = zlib.deflateRawSync(Buffer.from('hello'), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const res = await rawExchange(
      port,
      Buffer.concat([
        ...encodeFrame(Opcode.Text, payload.subarray(0, payload.length - 4), { rsv1: true, mask }),
        ...encodeFrame(Opcode.Ping, Buffer.from('p'), { mask }),
      ]),
      Buffer.concat(encodeFrame(Opcode.Close, Buffer.from([0x03, 0xe8]), { mask })),
    );
    const body = res.subarray(res.indexOf('\r\n\r\n') + 4);
    // Frames are read one message at a time: the ping behind the compressed message is parsed only
    // once the message is inflated and delivered, so the echo goes out before the pong.
    const opcodes: number[] = [];
    for (let at = 0; at < body.length; at += 2 + (body[at + 1]! & 0x7f)) opcodes.push(body[at]! & 0x0f);
    expect(opcodes).toEqual([Opcode.Text, Opcode.Pong, Opcode.Close]);
  });
});
