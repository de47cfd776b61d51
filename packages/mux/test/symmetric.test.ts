/** The symmetric-streams extension (docs/mux-extension.md). */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Connection } from '../src/connection.js';
import type { ConnectionEvent } from '../src/events.js';
import { connect, createServer, type MuxSession, type MuxStream } from '../src/node/index.js';
import { exchange } from './exchange.js';

const REQ: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'http'],
  [':path', '/'],
  [':authority', 'x'],
];

function handshake(client: boolean, server: boolean) {
  const c = new Connection({ role: 'client', settings: { symmetricStreams: client } });
  const s = new Connection({ role: 'server', settings: { symmetricStreams: server } });
  const ce: ConnectionEvent[] = [];
  const se: ConnectionEvent[] = [];
  const pump = () => exchange(c, s, ce, se);
  pump();
  return { c, s, ce, se, pump };
}

describe('symmetric streams: negotiation', () => {
  it('is in force only when both peers advertise it', () => {
    expect(handshake(true, true).s.symmetric).toBe(true);
    for (const [a, b] of [
      [true, false],
      [false, true],
      [false, false],
    ] as const) {
      const { s, c } = handshake(a, b);
      expect(s.symmetric).toBe(false);
      expect(c.symmetric).toBe(false);
      expect(() => s.request(REQ)).toThrow(expect.objectContaining({ code: 'MUX_ERR_INVALID_STATE' }));
    }
  });

  it('lets the server open a stream that the client answers', () => {
    const { c, s, ce, se, pump } = handshake(true, true);
    const id = s.request(REQ, true);
    expect(id % 2).toBe(0);
    pump();
    expect(ce.find((e) => e.type === 'HeadersReceived')).toMatchObject({ streamId: id, kind: 'request' });
    c.respond(id, [[':status', '200']]);
    c.write(id, Buffer.from('from the client'), true);
    pump();
    expect(se.find((e) => e.type === 'HeadersReceived')).toMatchObject({ streamId: id, kind: 'response' });
    const data = se.find((e) => e.type === 'DataReceived') as { data: Uint8Array };
    expect(Buffer.from(data.data).toString()).toBe('from the client');
    // Client requests keep working side by side.
    const mine = c.request(REQ, true);
    pump();
    expect(se.some((e) => e.type === 'HeadersReceived' && e.streamId === mine && e.kind === 'request')).toBe(
      true,
    );
  });

  it('turns push off', () => {
    const c = new Connection({ role: 'client', settings: { symmetricStreams: true, enablePush: true } });
    const s = new Connection({ role: 'server', settings: { symmetricStreams: true } });
    const id = c.request(REQ, true);
    s.receive(Buffer.concat(c.takeOutbound()));
    c.receive(Buffer.concat(s.takeOutbound()));
    s.receive(Buffer.concat(c.takeOutbound()));
    expect(() => s.push(id, REQ)).toThrow(expect.objectContaining({ code: 'MUX_ERR_INVALID_STATE' }));
  });
});

describe('symmetric streams over sockets', () => {
  it('a weft server opens a stream to a weft client', async () => {
    const sessions: MuxSession[] = [];
    const server = createServer({ settings: { symmetricStreams: true } });
    server.on('session', (s: MuxSession) => sessions.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = connect(
      { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
      { settings: { symmetricStreams: true } },
    );
    client.on('stream', (stream: MuxStream, headers: Record<string, string>) => {
      stream.respond({ ':status': 200 });
      stream.end(`client answers ${headers[':path']}`);
    });
    try {
      await new Promise((r) => client.once('remoteSettings', r));
      await client.ping(); // both SETTINGS have crossed
      const session = sessions[0]!;
      expect(session.symmetric).toBe(true);
      const req = session.openStream({ ':path': '/from-server' }, { endStream: true });
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('client answers /from-server');
    } finally {
      await client.close();
      server.close();
    }
  });

  it('a node:http2 client never sees it: requests work, and the server cannot open streams', async () => {
    const sessions: MuxSession[] = [];
    const server = createServer({ settings: { symmetricStreams: true } }, (stream: MuxStream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    server.on('session', (s: MuxSession) => sessions.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const req = client.request({ ':path': '/' }, { endStream: true });
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('ok');
      expect(sessions[0]!.symmetric).toBe(false);
      expect(() => sessions[0]!.openStream({ ':path': '/' })).toThrow(
        expect.objectContaining({ code: 'MUX_ERR_INVALID_STATE' }),
      );
    } finally {
      client.close();
      server.close();
    }
  });
});
