/** Interop with the ws package, both ways, on loopback. */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WsPackage, { WebSocketServer as WsPackageServer } from 'ws';
import { WebSocket, WebSocketServer } from '../../src/node/index.js';

type Msg = { data: Buffer; binary: boolean };

/** Echo every message back with its type; answer 'close-me' by closing with 4001. */
function echoServerSide(ws: {
  on: (...a: never[]) => unknown;
  send: (d: Buffer, o: { binary: boolean }) => void;
  close: (c: number, r: string) => void;
}) {
  (ws.on as (e: string, l: (d: Buffer, b: boolean) => void) => void)('message', (data, isBinary) => {
    if (!isBinary && data.toString() === 'close-me') ws.close(4001, 'as you asked');
    else ws.send(data, { binary: isBinary });
  });
}

function collect(ws: { on: (e: string, l: (...a: never[]) => void) => unknown }, n: number): Promise<Msg[]> {
  return new Promise((resolve) => {
    const got: Msg[] = [];
    (ws.on as (e: string, l: (d: Buffer, b: boolean) => void) => void)('message', (data, binary) => {
      got.push({ data: Buffer.from(data), binary });
      if (got.length === n) resolve(got);
    });
  });
}

const big = Buffer.alloc(4 << 20, 0x42);

/** Send text, binary, empty and 4 MiB messages through an echoing peer and check what comes back. */
async function echoAll(client: {
  send: (d: string | Buffer) => void;
  on: (...a: never[]) => unknown;
}): Promise<void> {
  const got = collect(client as never, 4);
  client.send('héllo');
  client.send(Buffer.from([1, 2, 3]));
  client.send('');
  client.send(big);
  const msgs = await got;
  expect(msgs.map((m) => [m.binary, m.binary ? m.data.length : m.data.toString()])).toEqual([
    [false, 'héllo'],
    [true, 3],
    [false, ''],
    [true, 4 << 20],
  ]);
  expect(msgs[3]!.data.equals(big)).toBe(true);
}

describe('ws package client -> weft server', () => {
  let server: WebSocketServer;
  let url: string;
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (ws: WebSocket) => echoServerSide(ws as never));
    await new Promise((r) => server.once('listening', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('echoes text, binary, empty and 4 MiB messages', async () => {
    const client = new WsPackage(url);
    await new Promise((r) => client.once('open', r));
    await echoAll(client as never);
    client.close();
  });

  it('reassembles a fragmented message', async () => {
    const client = new WsPackage(url);
    await new Promise((r) => client.once('open', r));
    const got = collect(client as never, 1);
    client.send('frag', { fin: false });
    client.send('ment', { fin: true });
    expect((await got)[0]!.data.toString()).toBe('fragment');
    client.close();
  });

  it('answers pings and delivers close codes and reasons both ways', async () => {
    const client = new WsPackage(url);
    await new Promise((r) => client.once('open', r));
    const pong = new Promise<Buffer>((r) => client.once('pong', r));
    client.ping('beat');
    expect((await pong).toString()).toBe('beat');
    const closed = new Promise<[number, string]>((r) =>
      client.once('close', (c, reason) => r([c, reason.toString()])),
    );
    client.send('close-me');
    expect(await closed).toEqual([4001, 'as you asked']);
  });

  it('negotiates a subprotocol', async () => {
    const client = new WsPackage(url, ['weft.v2', 'weft.v1']);
    await new Promise((r) => client.once('open', r));
    expect(client.protocol).toBe('weft.v2');
    client.close();
  });
});

describe('weft client -> ws package server', () => {
  let server: WsPackageServer;
  let url: string;
  beforeAll(async () => {
    server = new WsPackageServer({
      port: 0,
      host: '127.0.0.1',
      perMessageDeflate: false,
      handleProtocols: (p) => (p.has('b') ? 'b' : false),
    });
    server.on('connection', (ws) => echoServerSide(ws as never));
    await new Promise((r) => server.once('listening', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('echoes text, binary, empty and 4 MiB messages', async () => {
    const client = new WebSocket(url);
    await new Promise((r) => client.once('open', r));
    await echoAll(client as never);
    client.close(1000, 'done');
    await new Promise((r) => client.once('close', r));
  });

  it('sends a fragmented message, pings, and receives a close code and reason', async () => {
    const client = new WebSocket(url, ['a', 'b']);
    await new Promise((r) => client.once('open', r));
    expect(client.protocol).toBe('b');
    const got = collect(client as never, 1);
    client.send('frag', { fin: false });
    client.send('ment');
    expect((await got)[0]!.data.toString()).toBe('fragment');
    const pong = new Promise<Buffer>((r) => client.once('pong', r));
    client.ping('beat');
    expect((await pong).toString()).toBe('beat');
    const closed = new Promise<[number, string]>((r) =>
      client.once('close', (c: number, reason: Buffer) => r([c, reason.toString()])),
    );
    client.send('close-me');
    expect(await closed).toEqual([4001, 'as you asked']);
  });
});

describe('weft server handshake and violations', () => {
  let server: WebSocketServer;
  let port: number;
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', () => {});
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const raw = (request: string): Promise<string> =>
    new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      let out = '';
      s.on('data', (c) => {
        out += c.toString('latin1');
      });
      s.on('close', () => resolve(out));
      s.on('error', () => {});
      s.write(request);
    });
  const upgrade = (extra: string) =>
    `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

  it('answers a wrong version with 426 and the supported version', async () => {
    const res = await raw(upgrade('Sec-WebSocket-Version: 8\r\n'));
    expect(res).toMatch(/^HTTP\/1.1 426/);
    expect(res).toMatch(/Sec-WebSocket-Version: 13/);
  });

  it('survives a handshake with a huge number of headers (CVE-2024-37890): 400, no crash', async () => {
    // Node drops headers past maxHeadersCount (2000), so the key arrives missing.
    const many = Array.from({ length: 3000 }, (_, i) => `X-Filler-${i}: ${i}\r\n`).join('');
    const res = await raw(
      `GET / HTTP/1.1\r\nHost: x\r\n${many}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    expect(res).toMatch(/^HTTP\/1.1 (400|431)/);
    // The server is still serving.
    expect(await raw(upgrade('Sec-WebSocket-Version: 8\r\n'))).toMatch(/^HTTP\/1.1 426/);
  });

  it('answers a bad key with 400', async () => {
    expect(
      await raw(upgrade('Sec-WebSocket-Version: 13\r\n').replace('dGhlIHNhbXBsZSBub25jZQ==', 'short')),
    ).toMatch(/^HTTP\/1.1 400/);
  });

  it('accepts the RFC example key, then closes with 1002 on an unmasked client frame (no listener: no crash)', async () => {
    const res = await new Promise<Buffer>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      const chunks: Buffer[] = [];
      s.on('data', (c) => {
        chunks.push(c);
        if (chunks.length === 1) s.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // unmasked "hi"
      });
      s.on('close', () => resolve(Buffer.concat(chunks)));
      s.on('error', () => {});
      s.write(upgrade('Sec-WebSocket-Version: 13\r\n'));
    });
    const text = res.toString('latin1');
    expect(text).toMatch(/^HTTP\/1.1 101/);
    expect(text).toMatch(/Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
    const body = res.subarray(res.indexOf('\r\n\r\n') + 4);
    expect(body[0]).toBe(0x88); // close frame
    expect((body[2]! << 8) | body[3]!).toBe(1002);
  });
});
