/**
 * A WebSocket echo server for the benchmarks, in its own process:
 *   node --expose-gc server.js weft|ws [deflate]
 * With `deflate`, both accept permessage-deflate at zlib level 1 (weft's default; ws's is 6).
 * Prints its port; answers each stdin line with JSON { rss, heapUsed } after a GC.
 */
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { WebSocketServer as WeftServer } from '@weft/ws/node';
import { WebSocketServer as WsServer } from 'ws';

const kind = process.argv[2];
const deflate = process.argv[3] === 'deflate';
type Echoing = {
  on(e: 'message', l: (d: Buffer, b: boolean) => void): unknown;
  send(d: Buffer, o: { binary: boolean }): void;
};
const echo = (ws: Echoing) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
const server =
  kind === 'weft'
    ? new WeftServer({
        port: 0,
        host: '127.0.0.1',
        maxPayload: 64 << 20,
        perMessageDeflate: deflate && { level: 1 },
      })
    : new WsServer({
        port: 0,
        host: '127.0.0.1',
        maxPayload: 64 << 20,
        perMessageDeflate: deflate && { zlibDeflateOptions: { level: 1 } },
      });
server.on('connection', (ws: Echoing) => echo(ws));
server.on('listening', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
createInterface({ input: process.stdin }).on('line', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed })}\n`);
});
