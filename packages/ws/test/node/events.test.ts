/**
 * The typed events of WebSocket and WebSocketServer: a listener of a listed event gets its
 * arguments' types (the `expectTypeOf` lines fail the typecheck otherwise), and they arrive so.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, expectTypeOf, it } from 'vitest';
import { WebSocket, WebSocketServer } from '../../src/node/index.js';

it('message, close and connection listeners get the typed arguments', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r)); // any listener for the catch-all
  wss.on('connection', (ws, req) => {
    expectTypeOf(ws).toEqualTypeOf<WebSocket>();
    expectTypeOf(req).toEqualTypeOf<IncomingMessage>();
    expect(req.url).toBe('/');
    ws.on('message', (data, isBinary) => {
      expectTypeOf(data).toEqualTypeOf<Buffer>();
      expectTypeOf(isBinary).toEqualTypeOf<boolean>();
      ws.send(`${data.toString('utf8')}:${isBinary}`);
    });
  });
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
  ws.on('open', () => ws.send('hi'));
  const reply = await new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  expect(reply).toBe('hi:false');
  const closed = new Promise<[number, string]>((resolve) =>
    ws.once('close', (code, reason) => {
      expectTypeOf(code).toEqualTypeOf<number>();
      expectTypeOf(reason).toEqualTypeOf<Buffer>();
      resolve([code, reason.toString()]);
    }),
  );
  ws.close(4000, 'bye');
  expect(await closed).toEqual([4000, 'bye']);
  await new Promise<void>((r) => wss.close(() => r()));
});
