/**
 * One transfer of BYTES bytes to a sink, run in its own process:
 *   node bulk-client.js weft|raw PORT BYTES
 * weft: one HTTP/2 stream; raw: one plain socket (the floor). Writes 1 MiB chunks with backpressure
 * and prints JSON: { bytes, seconds, mbPerSec } once the sink confirms the count.
 */
import net from 'node:net';
import type { Writable } from 'node:stream';
import { connect } from '@weft/mux';

const [kind, portArg, bytesArg] = process.argv.slice(2);
const port = Number(portArg);
const total = Number(bytesArg);
const chunk = Buffer.alloc(1 << 20, 0x5a);

async function pump(w: Writable): Promise<void> {
  for (let sent = 0; sent < total; sent += chunk.length) {
    const last = Math.min(chunk.length, total - sent);
    if (!w.write(last === chunk.length ? chunk : chunk.subarray(0, last)))
      await new Promise((r) => w.once('drain', r));
  }
  w.end();
}

async function main(): Promise<void> {
  const start = process.hrtime.bigint();
  let confirmed: string;
  if (kind === 'weft') {
    const session = connect({ host: '127.0.0.1', port });
    const req = session.request({ ':method': 'POST', ':path': '/sink' });
    const reply = (async () => {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      return Buffer.concat(parts).toString();
    })();
    await pump(req);
    confirmed = await reply;
    void session.close();
  } else {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('connect', r));
    const reply = (async () => {
      const parts: Buffer[] = [];
      for await (const c of socket) parts.push(c as Buffer);
      return Buffer.concat(parts).toString();
    })();
    await pump(socket);
    confirmed = await reply;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (Number(confirmed) !== total) throw new Error(`sink counted ${confirmed}, expected ${total}`);
  process.stdout.write(`${JSON.stringify({ bytes: total, seconds, mbPerSec: total / 1e6 / seconds })}\n`);
  setTimeout(() => process.exit(0), 50).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
