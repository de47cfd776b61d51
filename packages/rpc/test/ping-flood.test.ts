/**
 * Ping floods cost the flooder its connection on every transport, not the server its memory: each
 * Ping asks for a Pong, so a client that sends them faster than the budget (50/s, bursts of 200)
 * and never reads would fill the server's output. Pooled and ws Ping envelopes, and WebSocket ping
 * frames, from a hostile client; a well-behaved client is served throughout.
 */
import net from 'node:net';
import { lengthPrefixed } from '@weft/framing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsPackage } from 'ws';
import { EnvelopeKind, encodeEmpty } from '../src/envelope.js';
import { createClient } from '../src/index.js';
import { startTestServer, Test, type TestClient } from './fixtures.js';

describe('ping floods', () => {
  let started: ReturnType<typeof startTestServer>;
  const ports: Record<string, number> = {};
  const clients: TestClient[] = [];

  beforeAll(async () => {
    started = startTestServer();
    for (const transport of ['pooled', 'ws'] as const) {
      ports[transport] = (await started.server.listen({ transport })).port;
      clients.push(createClient(Test, { target: `127.0.0.1:${ports[transport]}`, transport }));
    }
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await started.server.close({ graceMs: 100 });
  });
  const stillServes = async () => {
    for (const c of clients) expect(await c.echo({ n: 1 }, { timeoutMs: 5000 })).toEqual({ n: 1 });
  };
  const ping = encodeEmpty(EnvelopeKind.Ping, 0);

  it('pooled: 5,000 Ping envelopes close the connection; others are served', async () => {
    const socket = net.connect(ports.pooled!, '127.0.0.1');
    const frame = Buffer.from(lengthPrefixed({ width: 4 }).encode(ping));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    let pongs = 0;
    socket.on('data', (d: Buffer) => (pongs += d.length / frame.length));
    socket.write(Buffer.concat(Array.from({ length: 5000 }, () => frame)));
    await closed;
    expect(pongs).toBeLessThanOrEqual(201);
    await stillServes();
  });

  it('ws: 5,000 Ping envelopes close the WebSocket; others are served', async () => {
    const ws = new WsPackage(`ws://127.0.0.1:${ports.ws}/weft-rpc`);
    await new Promise((r) => ws.on('open', r));
    for (let i = 0; i < 5000; i++) ws.send(ping);
    const code = await new Promise<number>((r) => ws.on('close', r));
    expect(code).toBe(1002);
    await stillServes();
  });

  it('ws: 5,000 WebSocket ping frames close with 1008; others are served', async () => {
    const ws = new WsPackage(`ws://127.0.0.1:${ports.ws}/weft-rpc`);
    await new Promise((r) => ws.on('open', r));
    let pongs = 0;
    ws.on('pong', () => pongs++);
    for (let i = 0; i < 5000; i++) ws.ping();
    const code = await new Promise<number>((r) => ws.on('close', r));
    expect(code).toBe(1008);
    expect(pongs).toBeLessThanOrEqual(201);
    await stillServes();
  });
});
