import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocket, WebSocketServer } from '../../src/node/index.js';

describe('createWebSocketStream', () => {
  it('pipes chunks through a WebSocket and back as a Duplex', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (ws: WebSocket) => {
      const duplex = createWebSocketStream(ws);
      duplex.pipe(duplex); // echo
    });
    await new Promise((r) => server.once('listening', r));
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await new Promise((r) => ws.once('open', r));
    const duplex = createWebSocketStream(ws);
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000 + i, i));
    const got: Buffer[] = [];
    const reading = new Promise<void>((resolve) => {
      duplex.on('data', (c: Buffer) => {
        got.push(c);
        if (got.length === chunks.length) resolve();
      });
    });
    await pipeline(
      Readable.from(chunks),
      new Writable({ write: (c, _e, cb) => (duplex.write(c) ? cb() : duplex.once('drain', cb)) }),
    );
    await reading;
    expect(got.map((c) => c.length)).toEqual(chunks.map((c) => c.length));
    expect(got.every((c, i) => c.equals(chunks[i]!))).toBe(true);
    duplex.end();
    await new Promise<void>((r) => server.close(() => r()));
  });
});
