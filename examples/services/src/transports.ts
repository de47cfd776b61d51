/**
 * Choosing a transport: the same contract served on all three at once and called the same way.
 * Prints each one's calls per second with 50 calls in flight, on loopback — an indication, not a
 * benchmark (`npm run bench` is the benchmark). `npm run transports --workspace @weft/example-services`.
 *
 * - `mux`: gRPC over one HTTP/2 connection per server (more when busy); any gRPC peer can call it.
 * - `pooled`: length-prefixed envelopes over a pool of TCP connections, weft to weft.
 * - `ws`: the same envelopes over one WebSocket, for callers behind HTTP proxies or in browsers.
 */
import { createClient, createServer, type TransportKind } from '@weft/rpc';
import { Shop } from './contract.js';
import { shop } from './shop.js';

const CALLS = 2000;
const IN_FLIGHT = 50;

const server = createServer().add(Shop, shop());
for (const transport of ['mux', 'pooled', 'ws'] as TransportKind[]) {
  const { port } = await server.listen({ port: 0, host: '127.0.0.1', transport });
  const client = createClient(Shop, { target: `static:///127.0.0.1:${port}`, transport });
  await client.price({ sku: 'cake' }); // connect before timing
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < CALLS) await client.price({ sku: 'cake' }, { timeoutMs: 5000 });
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${transport}: ${CALLS} calls, ${Math.round(CALLS / seconds)} calls/s`);
  client.close();
}
await server.close({ graceMs: 1000 });
