/**
 * Headless Chromium (Debian's, driven by playwright-core) against a weft server: a page served by the
 * test opens a WebSocket, exchanges text and binary messages, and reports back. Chromium offers
 * permessage-deflate; the server does not negotiate it yet, so this runs uncompressed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../../../test/chromium.js';
import { type WebSocket, WebSocketServer } from '../../src/node/index.js';

const PAGE = `<!doctype html><meta charset="utf-8"><script>
const ws = new WebSocket('ws://127.0.0.1:' + location.hash.slice(1), ['weft.v1']);
ws.binaryType = 'arraybuffer';
const got = [];
ws.onmessage = (e) => {
  got.push(typeof e.data === 'string' ? e.data : Array.from(new Uint8Array(e.data)));
  if (got.length === 3) ws.close(1000, 'done');
};
ws.onopen = () => { ws.send('héllo from chromium'); ws.send(new Uint8Array([1, 2, 3])); ws.send('x'.repeat(70000)); };
ws.onclose = (e) => { window.result = { got: got.map((g) => typeof g === 'string' && g.length > 100 ? g.length : g), protocol: ws.protocol, extensions: ws.extensions, code: e.code }; };
</script>`;

describe('headless Chromium -> weft server', () => {
  it.skipIf(!chromiumAvailable())(
    'exchanges text, binary and compressed messages and closes cleanly',
    async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
      const serverCloses: number[] = [];
      const wireBytes: number[] = [];
      wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
        ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
        ws.on('close', (code: number) => {
          serverCloses.push(code);
          wireBytes.push(req.socket.bytesRead, req.socket.bytesWritten);
        });
      });
      await new Promise((r) => wss.once('listening', r));
      const wsPort = (wss.address() as AddressInfo).port;
      const page = http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(PAGE);
      });
      await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        await tab.goto(`http://127.0.0.1:${(page.address() as AddressInfo).port}/#${wsPort}`);
        await tab.waitForFunction(
          () => (globalThis as { result?: unknown }).result !== undefined,
          undefined,
          {
            timeout: 20_000,
          },
        );
        const result = await tab.evaluate(() => (globalThis as { result?: unknown }).result);
        expect(result).toEqual({
          got: ['héllo from chromium', [1, 2, 3], 70000],
          protocol: 'weft.v1',
          extensions: 'permessage-deflate',
          code: 1000,
        });
        expect(serverCloses).toEqual([1000]);
        // The 70,000-byte message crossed compressed both ways.
        expect(wireBytes[0]).toBeLessThan(10_000);
        expect(wireBytes[1]).toBeLessThan(10_000);
      } finally {
        await browser.close();
        page.close();
        await new Promise<void>((r) => wss.close(() => r()));
      }
    },
  );
});
