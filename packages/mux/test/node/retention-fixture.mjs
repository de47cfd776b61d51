// Run by retention.test.ts: node --expose-gc --trace-gc-nvp retention-fixture.mjs
// A weft echo server and a client with 100 streams in flight, in this process. After a warm-up it
// forces one full GC, prints AFTER_FULL_GC, and keeps the load going; the test reads V8's scavenge
// lines after the marker.
import { connect, createServer } from '@weft/mux/node';

const payload = Buffer.alloc(64, 0x61);
const server = createServer({}, (stream) => {
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  stream.on('end', () => {
    stream.respond({ ':status': 200 });
    stream.end(Buffer.concat(chunks));
  });
  stream.on('error', () => {});
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const session = connect({ host: '127.0.0.1', port: server.address().port });
session.on('error', () => {});
let stop = false;
const one = () =>
  new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': '/echo' });
    req.on('data', () => {});
    req.on('end', resolve);
    req.on('error', reject);
    req.end(payload);
  });
const loop = async () => {
  while (!stop) await one();
};
const loops = Array.from({ length: 100 }, loop);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await sleep(Number(process.argv[2] ?? 300));
globalThis.gc();
process.stdout.write('AFTER_FULL_GC\n');
await sleep(Number(process.argv[3] ?? 1000));
stop = true;
await Promise.all(loops);
session.destroy();
server.close();
