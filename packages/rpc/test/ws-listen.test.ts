/**
 * The ws transport's listener as a web page meets it: which origins may open a WebSocket, and
 * what plain HTTP requests get (the page itself, when the server serves it).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import {
  createServer,
  defineService,
  type Server,
  unary,
  WS_PATH,
  type WsListenOptions,
} from '../src/index.js';

const Echo = defineService('weft.test.v1.Echo', { echo: unary<unknown, unknown>() });

let server: Server | undefined;

afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
});

async function listen(ws?: WsListenOptions) {
  server = createServer();
  server.add(Echo, { echo: (req) => req });
  const { port } = await server.listen({ transport: 'ws', ...(ws === undefined ? {} : { ws }) });
  return port;
}

/** Opens a WebSocket with `origin` (none if undefined): the HTTP status it was refused with, or 101. */
function upgrade(port: number, origin: string | undefined, host = `127.0.0.1:${port}`): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WsWebSocket(`ws://127.0.0.1:${port}${WS_PATH}`, {
      ...(origin === undefined ? {} : { origin }),
      headers: { host },
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('ws listener', () => {
  it('accepts clients without an Origin and pages of its own host; refuses other pages', async () => {
    const port = await listen();
    expect(await upgrade(port, undefined)).toBe(101);
    expect(await upgrade(port, `http://127.0.0.1:${port}`)).toBe(101);
    expect(await upgrade(port, 'http://evil.example')).toBe(401);
    expect(await upgrade(port, `http://127.0.0.1:${port + 1}`)).toBe(401);
    expect(await upgrade(port, 'null')).toBe(401);
  });

  it('allowOrigin: a list, or a predicate', async () => {
    const port = await listen({ allowOrigin: ['https://app.example'] });
    expect(await upgrade(port, 'https://app.example')).toBe(101);
    expect(await upgrade(port, `http://127.0.0.1:${port}`)).toBe(401);
    expect(await upgrade(port, undefined)).toBe(101);
    await server!.close({ graceMs: 0 });
    const seen: string[] = [];
    const port2 = await listen({
      allowOrigin: (origin) => {
        seen.push(origin);
        return origin.endsWith('.example');
      },
    });
    expect(await upgrade(port2, 'https://a.example')).toBe(101);
    expect(await upgrade(port2, 'https://a.test')).toBe(401);
    expect(seen).toEqual(['https://a.example', 'https://a.test']);
  });

  it('plain HTTP requests: 426 by default, or what onRequest answers', async () => {
    const port = await listen();
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(426);
    expect(res.headers.get('upgrade')).toBe('websocket');
    await server!.close({ graceMs: 0 });
    const port2 = await listen({
      onRequest: (req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`page ${req.url}`),
    });
    const page = await fetch(`http://127.0.0.1:${port2}/index.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('page /index.html');
    // The WebSocket path still upgrades.
    expect(await upgrade(port2, undefined)).toBe(101);
    // The page's keep-alive connection does not hold up closing.
    const closing = Date.now();
    await server!.close({ graceMs: 5000 });
    expect(Date.now() - closing).toBeLessThan(1000);
  });
});
