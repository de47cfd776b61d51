// Run by retention.test.ts: node --expose-gc --trace-gc-nvp retention-fixture.mjs TRANSPORT
// A weft rpc server and client in this process, 100 unary calls in flight. After a warm-up it forces
// one full GC, prints AFTER_FULL_GC, and keeps the load going; the test reads V8's scavenge lines.
import { createClient, createServer, defineService, unary } from '@weft/rpc';

const transport = process.argv[2] ?? 'mux';
const Echo = defineService('weft.test.Retention', { echo: unary() });
const server = createServer();
server.add(Echo, { echo: async (req) => req });
const { port } = await server.listen({ transport, host: '127.0.0.1', port: 0 });
const client = createClient(Echo, { target: `static:///127.0.0.1:${port}`, transport });
const message = { data: new Uint8Array(64) };
let stop = false;
const loop = async () => {
  while (!stop) await client.echo(message);
};
const loops = Array.from({ length: 100 }, loop);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await sleep(400);
globalThis.gc();
process.stdout.write('AFTER_FULL_GC\n');
await sleep(1000);
stop = true;
await Promise.all(loops);
client.close();
await server.close({ graceMs: 0 });
