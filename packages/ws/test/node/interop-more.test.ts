/** Node's own WebSocket client (undici) against a weft server, the heartbeat, backpressure and wss. */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { WebSocket as UndiciWebSocket } from 'undici';
import { describe, expect, it, vi } from 'vitest';
import WsPackage from 'ws';
import { WebSocket, WebSocketServer } from '../../src/node/index.js';

async function listening(server: WebSocketServer): Promise<number> {
  await new Promise((r) => server.once('listening', r));
  return (server.address() as AddressInfo).port;
}

describe("Node's WebSocket client (undici) -> weft server", () => {
  it('exchanges text and binary messages and closes with a code and reason', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (ws: WebSocket) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary && data.toString() === 'bye') ws.close(4000, 'see you');
        else ws.send(data, { binary: isBinary });
      });
    });
    const port = await listening(server);
    try {
      const client = new UndiciWebSocket(`ws://127.0.0.1:${port}`, ['weft.v1']);
      client.binaryType = 'arraybuffer';
      await new Promise((r) => client.addEventListener('open', r, { once: true }));
      expect(client.protocol).toBe('weft.v1');
      const messages: unknown[] = [];
      const two = new Promise<void>((resolve) =>
        client.addEventListener('message', (e) => {
          messages.push(
            typeof e.data === 'string' ? e.data : Array.from(new Uint8Array(e.data as ArrayBuffer)),
          );
          if (messages.length === 2) resolve();
        }),
      );
      client.send('héllo');
      client.send(new Uint8Array([7, 8, 9]));
      await two;
      expect(messages).toEqual(['héllo', [7, 8, 9]]);
      const closed = new Promise<[number, string]>((r) =>
        client.addEventListener('close', (e) => r([e.code, e.reason]), { once: true }),
      );
      client.send('bye');
      expect(await closed).toEqual([4000, 'see you']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('heartbeat', () => {
  it('terminates a peer that stops answering pings, and keeps a live one', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', heartbeatMs: 60 });
    const closes: number[] = [];
    server.on('connection', (ws: WebSocket) => ws.on('close', (code: number) => closes.push(code)));
    const port = await listening(server);
    try {
      // A live weft client answers pings automatically.
      const live = new WebSocket(`ws://127.0.0.1:${port}`);
      await new Promise((r) => live.once('open', r));
      // A dead peer: completes the handshake, then never reads or answers.
      const dead = net.connect({ host: '127.0.0.1', port });
      dead.on('error', () => {});
      dead.write(
        'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      await new Promise((r) => setTimeout(r, 400));
      expect(closes).toEqual([1006]);
      expect(live.readyState).toBe(WebSocket.OPEN);
      live.close();
      dead.destroy();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('backpressure', () => {
  it("reports bufferedAmount and emits 'drain' once the socket took it", async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    let received = 0;
    server.on('connection', (ws: WebSocket) => ws.on('message', (d: Buffer) => (received += d.length)));
    const port = await listening(server);
    try {
      const client = new WebSocket(`ws://127.0.0.1:${port}`);
      await new Promise((r) => client.once('open', r));
      const drained = new Promise<number>((r) => client.once('drain', () => r(client.bufferedAmount)));
      client.send(Buffer.alloc(8 << 20));
      expect(client.bufferedAmount).toBeGreaterThanOrEqual(8 << 20); // queued, not yet written
      expect(await drained).toBeLessThan(8 << 20);
      client.close();
      await new Promise((r) => client.once('close', r));
      expect(received).toBe(8 << 20);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('wss: TLS', () => {
  it('serves on an existing https server; the weft client verifies with a private CA, ws connects too', async () => {
    const fixtures = new URL('../../../mux/test/fixtures/', import.meta.url);
    const cert = readFileSync(new URL('test-cert.pem', fixtures));
    const key = readFileSync(new URL('test-key.pem', fixtures));
    const httpsServer = https.createServer({ cert, key });
    const wss = new WebSocketServer({ server: httpsServer, perMessageDeflate: true });
    wss.on('connection', (ws: WebSocket) =>
      ws.on('message', (d: Buffer, b: boolean) => ws.send(d, { binary: b })),
    );
    await new Promise<void>((r) => httpsServer.listen(0, '127.0.0.1', r));
    const url = `wss://localhost:${(httpsServer.address() as AddressInfo).port}`;
    try {
      // Without the CA the handshake fails verification.
      const refused = new WebSocket(url);
      const err = await new Promise<Error>((r) => refused.once('error', r));
      expect(String(err)).toMatch(/self[- ]signed|unable to verify|certificate/i);

      const client = new WebSocket(url, undefined, { tls: { ca: cert } });
      await new Promise((r) => client.once('open', r));
      expect(client.extensions).toBe('permessage-deflate');
      const echoed = new Promise<string>((r) => client.once('message', (d: Buffer) => r(d.toString())));
      client.send('over tls '.repeat(200));
      expect(await echoed).toBe('over tls '.repeat(200));
      client.close();

      const other = new WsPackage(url, { ca: cert });
      await new Promise((r) => other.once('open', r));
      const back = new Promise<string>((r) => other.once('message', (d: Buffer) => r(d.toString())));
      other.send('from ws');
      expect(await back).toBe('from ws');
      other.close();
    } finally {
      await new Promise<void>((r) => wss.close(() => r()));
      httpsServer.closeAllConnections();
      await new Promise<void>((r) => httpsServer.close(() => r()));
    }
  });
});

describe('server modes, verification and timeouts', () => {
  it('noServer + handleUpgrade on a user http server, with path routing and verifyClient on Origin', async () => {
    const httpServer = http.createServer();
    const wss = new WebSocketServer({
      noServer: true,
      verifyClient: ({ origin }) => origin === 'https://ok.example',
    });
    wss.on('connection', (ws: WebSocket) => ws.on('message', (d: Buffer) => ws.send(d, { binary: false })));
    httpServer.on('upgrade', (req, socket, head) => {
      if (req.url !== '/chat') {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
    const base = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    try {
      const refused = new WebSocket(`${base}/chat`, undefined, {
        headers: { Origin: 'https://evil.example' },
      });
      const refusal = await new Promise<Error>((r) => refused.once('error', r));
      expect(String(refusal)).toMatch(/401/);
      expect(refusal).toMatchObject({ code: 'WS_ERR_HANDSHAKE' });
      const lost = new WebSocket(`${base}/other`, undefined, { headers: { Origin: 'https://ok.example' } });
      expect(String(await new Promise<Error>((r) => lost.once('error', r)))).toMatch(/404/);
      const ok = new WebSocket(`${base}/chat`, undefined, { headers: { Origin: 'https://ok.example' } });
      await new Promise((r) => ok.once('open', r));
      const echoed = new Promise<string>((r) => ok.once('message', (d: Buffer) => r(d.toString())));
      ok.send('hi');
      expect(await echoed).toBe('hi');
      ok.close();
      await new Promise((r) => ok.once('close', r));
    } finally {
      await new Promise<void>((r) => wss.close(() => r()));
      httpServer.closeAllConnections();
      await new Promise<void>((r) => httpServer.close(() => r()));
    }
  });

  it('handshakeTimeoutMs: a server that never answers the upgrade fails the client in time', async () => {
    const silent = net.createServer((s) => {
      s.on('error', () => {});
      s.resume(); // read (and ignore) so the client's FIN is seen and close() can finish
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const t0 = Date.now();
      const c = new WebSocket(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, undefined, {
        handshakeTimeoutMs: 150,
      });
      const err = await new Promise<Error>((r) => c.once('error', r));
      expect(String(err)).toMatch(/timed out/);
      expect(err).toMatchObject({ code: 'WS_ERR_HANDSHAKE' });
      expect(Date.now() - t0).toBeLessThan(2000);
      await new Promise((r) => (c.readyState === WebSocket.CLOSED ? r(undefined) : c.once('close', r)));
    } finally {
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('closeTimeoutMs: a peer that never answers our close frame is cut off, close 1006', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', closeTimeoutMs: 150 });
    const closes: number[] = [];
    server.on('connection', (ws: WebSocket) => {
      ws.on('close', (code: number) => closes.push(code));
      ws.close(1000, 'bye');
    });
    const port = await listening(server);
    try {
      // A raw client that completes the handshake, then neither reads frames nor answers.
      const dead = net.connect({ host: '127.0.0.1', port });
      dead.on('error', () => {});
      dead.resume(); // reads (and ignores) everything, so the server's FIN is seen
      dead.write(
        'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      await new Promise((r) => dead.once('close', r));
      await vi.waitFor(() => expect(closes).toEqual([1006]));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('send outside the open state', () => {
  it('throws before open; after close it reports to the callback and never throws', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const port = await listening(server);
    try {
      const client = new WebSocket(`ws://127.0.0.1:${port}`);
      expect(() => client.send('early')).toThrow(expect.objectContaining({ code: 'WS_ERR_INVALID_STATE' }));
      await new Promise((r) => client.once('open', r));
      client.close(1000);
      expect(() => client.send('late, no callback')).not.toThrow();
      const err = await new Promise<Error | undefined>((r) => client.send('late', r));
      expect(err).toMatchObject({ code: 'WS_ERR_INVALID_STATE' });
      await new Promise((r) => client.once('close', r));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
