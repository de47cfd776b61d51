/** HTTP/2 over TLS with ALPN h2, against node:http2 both ways, and TLS session resumption. */
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createSecureServer, type MuxSession, type MuxStream } from '../../src/node/index.js';

const key = readFileSync(new URL('../fixtures/test-key.pem', import.meta.url));
const cert = readFileSync(new URL('../fixtures/test-cert.pem', import.meta.url));

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString();
}

describe('weft TLS server', () => {
  let server: ReturnType<typeof createSecureServer>;
  let port: number;
  beforeAll(async () => {
    server = createSecureServer({ tls: { key, cert } }, (stream: MuxStream, headers) => {
      stream.respond({ ':status': 200, 'x-scheme': headers[':scheme'] as string });
      stream.end(`secure ${headers[':path'] as string}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('serves a node:http2 secure client (ALPN h2)', async () => {
    const client = http2.connect(`https://localhost:${port}`, { ca: cert });
    try {
      const req = client.request({ ':path': '/tls' });
      const headers = await new Promise<http2.IncomingHttpHeaders>((r) => req.once('response', r));
      expect(headers[':status']).toBe(200);
      expect(headers['x-scheme']).toBe('https');
      expect(await readAll(req)).toBe('secure /tls');
      expect((client.socket as tls.TLSSocket).alpnProtocol).toBe('h2');
    } finally {
      client.close();
    }
  });

  it('resumes TLS sessions with the ticket a weft client saved', async () => {
    const first = connect(`https://localhost:${port}`, { tls: { ca: cert } });
    const ticket = new Promise<Buffer>((r) => first.once('tlsSession', r));
    const req = first.request({ ':path': '/one' }, { endStream: true });
    expect(await readAll(req)).toBe('secure /one');
    const saved = await ticket;
    expect((first.socket as tls.TLSSocket).isSessionReused()).toBe(false);
    await first.close();
    const second = connect(`https://localhost:${port}`, { tls: { ca: cert, session: saved } });
    try {
      const req2 = second.request({ ':path': '/two' }, { endStream: true });
      expect(await readAll(req2)).toBe('secure /two');
      expect((second.socket as tls.TLSSocket).isSessionReused()).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('refuses a client that does not offer h2', async () => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ca: cert,
      servername: 'localhost',
      ALPNProtocols: ['http/1.1'],
    });
    socket.on('error', () => {});
    await new Promise<void>((r) => socket.on('close', () => r()));
    expect(socket.alpnProtocol).not.toBe('h2');
  });
});

describe('weft TLS client -> node:http2 secure server', () => {
  let server: http2.Http2SecureServer;
  let port: number;
  beforeAll(async () => {
    server = http2.createSecureServer({ key, cert });
    server.on('stream', (stream, headers) => {
      stream.respond({ ':status': 200 });
      stream.end(`node ${headers[':authority'] as string}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('negotiates h2 and exchanges requests', async () => {
    const session: MuxSession = connect(`https://localhost:${port}`, { tls: { ca: cert } });
    try {
      const bodies = await Promise.all(
        Array.from({ length: 20 }, () => readAll(session.request({ ':path': '/' }, { endStream: true }))),
      );
      expect(bodies).toEqual(new Array(20).fill(`node localhost:${port}`));
      expect((session.socket as tls.TLSSocket).alpnProtocol).toBe('h2');
    } finally {
      await session.close();
    }
  });
});
