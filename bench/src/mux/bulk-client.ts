/**
 * One transfer of BYTES bytes to a sink, run in its own process:
 *   node bulk-client.js weft|raw PORT BYTES
 * weft: one HTTP/2 stream; raw: one plain socket (the floor). Writes 1 MiB chunks with backpressure.
 * A warm-up transfer of the same size (another stream on the same connection; another socket for
 * raw) comes first, unmeasured: steady state is what the figure means. Prints JSON: { bytes, seconds, mbPerSec } once the sink confirms the count.
 */
import net from 'node:net';
import type { Writable } from 'node:stream';
import { connect } from '@weft/mux/node';

const [kind, portArg, bytesArg] = process.argv.slice(2);
const port = Number(portArg);
const total = Number(bytesArg);
const chunk = Buffer.alloc(1 << 20, 0x5a);

async function pump(w: Writable, total: number): Promise<void> {
  for (let sent = 0; sent < total; sent += chunk.length) {
    const last = Math.min(chunk.length, total - sent);
    if (!w.write(last === chunk.length ? chunk : chunk.subarray(0, last)))
      await new Promise((r) => w.once('drain', r));
  }
  w.end();
}

/** One transfer of `total` bytes; resolves with the count the sink confirmed. */
async function transfer(total: number, session: ReturnType<typeof connect> | undefined): Promise<number> {
  if (session !== undefined) {
    const req = session.request({ ':method': 'POST', ':path': '/sink' });
    const reply = (async () => {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      return Buffer.concat(parts).toString();
    })();
    await pump(req, total);
    return Number(await reply);
  }
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  const reply = (async () => {
    const parts: Buffer[] = [];
    for await (const c of socket) parts.push(c as Buffer);
    return Buffer.concat(parts).toString();
  })();
  await pump(socket, total);
  return Number(await reply);
}

async function main(): Promise<void> {
  const session = kind === 'weft' ? connect({ host: '127.0.0.1', port }) : undefined;
  // Warm-up: the same work, unmeasured, so both systems are compared with their hot paths compiled
  // (and, for weft, with the receive window already tuned, as on any long-lived connection).
  const warm = Math.min(total, 1024 * 2 ** 20);
  if ((await transfer(warm, session)) !== warm) throw new Error('warm-up transfer miscounted');
  const start = process.hrtime.bigint();
  const confirmed = await transfer(total, session);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (confirmed !== total) throw new Error(`sink counted ${confirmed}, expected ${total}`);
  if (session !== undefined) void session.close();
  process.stdout.write(`${JSON.stringify({ bytes: total, seconds, mbPerSec: total / 1e6 / seconds })}\n`);
  setTimeout(() => process.exit(0), 50).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
