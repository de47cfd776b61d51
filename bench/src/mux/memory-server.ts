/**
 * A server for memory measurements, in its own process (run with --expose-gc):
 *   node --expose-gc memory-server.js weft|node-http2
 * Prints its port; then answers each stdin line with JSON { rss, heapUsed } after a GC. Streams are
 * held open (never answered) so open streams can be counted.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { createServer, type MuxStream } from '@weft/mux/node';

const kind = process.argv[2];
const held: unknown[] = [];
const server =
  kind === 'weft'
    ? createServer({ settings: { maxConcurrentStreams: 20_000 } }, (stream: MuxStream) => {
        held.push(stream);
      })
    : http2.createServer({ settings: { maxConcurrentStreams: 20_000 } }).on('stream', (stream) => {
        held.push(stream);
      });
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
createInterface({ input: process.stdin }).on('line', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, held: held.length })}\n`);
});
