/**
 * Opens connections or streams and holds them, in its own process (run with --expose-gc):
 *   node --expose-gc memory-client.js weft|node-http2 PORT connections|streams N
 * Prints JSON { heapBefore, heapAfter, n } once all N are established.
 */
import http2 from 'node:http2';
import { connect } from '@weft/mux/node';

const [kind, portArg, what, nArg] = process.argv.slice(2);
const port = Number(portArg);
const n = Number(nArg);
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const held: unknown[] = [];

async function main(): Promise<void> {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  if (what === 'connections') {
    for (let i = 0; i < n; i += 200) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(n, i + 200); j++) {
        if (kind === 'weft') {
          const s = connect({ host: '127.0.0.1', port });
          held.push(s);
          batch.push(new Promise((r) => s.once('remoteSettings', r)));
        } else {
          const s = http2.connect(`http://127.0.0.1:${port}`);
          held.push(s);
          batch.push(new Promise((r) => s.once('remoteSettings', r)));
        }
      }
      await Promise.all(batch);
    }
  } else {
    const session =
      kind === 'weft' ? connect({ host: '127.0.0.1', port }) : http2.connect(`http://127.0.0.1:${port}`);
    held.push(session);
    for (let i = 0; i < n; i++) held.push(session.request({ ':method': 'POST', ':path': '/' }));
    await new Promise((r) => setTimeout(r, 1500));
  }
  await new Promise((r) => setTimeout(r, 500));
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  process.stdout.write(`${JSON.stringify({ heapBefore, heapAfter, n: held.length })}\n`);
  // Hold until killed.
  setInterval(() => {}, 1000);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
