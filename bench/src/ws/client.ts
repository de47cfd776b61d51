/**
 * WebSocket load, in its own process:
 *   node client.js weft|ws PORT echo INFLIGHT SECONDS SIZE [deflate] → { messagesPerSec, mbPerSec }
 *   node client.js weft|ws PORT idle N                        → holds N open connections, prints { n }
 * Echo keeps INFLIGHT messages outstanding on one connection, after a 1 s warm-up. With `deflate`
 * the client offers permessage-deflate (zlib level 1 on both) and sends JSON-like text that
 * compresses about 5:1 instead of one repeated byte.
 */
import { WebSocket as WeftSocket } from '@weft/ws/node';
import WsSocket from 'ws';

const [kind, portArg, mode, a, b, c, d] = process.argv.slice(2);
const deflate = d === 'deflate';
const url = `ws://127.0.0.1:${portArg}`;
type Sock = {
  on(e: string, l: (...x: never[]) => void): unknown;
  once(e: string, l: () => void): unknown;
  send(d: Buffer): void;
};
const open = (): Promise<Sock> =>
  new Promise((resolve, reject) => {
    const s = (kind === 'weft'
      ? new WeftSocket(url, undefined, { maxPayload: 64 << 20, perMessageDeflate: deflate && { level: 1 } })
      : new WsSocket(url, {
          maxPayload: 64 << 20,
          perMessageDeflate: deflate && { zlibDeflateOptions: { level: 1 } },
        })) as unknown as Sock;
    s.once('open', () => resolve(s));
    s.on('error', reject as never);
  });

async function echo(inflight: number, seconds: number, size: number): Promise<void> {
  const s = await open();
  const payload = deflate ? records(size) : Buffer.alloc(size, 0x61);
  let received = 0;
  let counting = false;
  let stop = false;
  s.on('message', (() => {
    if (counting) received++;
    if (!stop) s.send(payload);
  }) as never);
  for (let i = 0; i < inflight; i++) s.send(payload);
  await new Promise((r) => setTimeout(r, 1000));
  counting = true;
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  counting = false;
  stop = true;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(
    `${JSON.stringify({ messagesPerSec: received / elapsed, mbPerSec: (received * size) / 1e6 / elapsed })}\n`,
  );
  process.exit(0);
}

/** `size` bytes of JSON-ish records with pseudo-random fields (deterministic). */
function records(size: number): Buffer {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const r = `{"id":${rnd() % 1e6},"user":"u${rnd() % 5000}","score":${(rnd() % 10000) / 100},"tags":["t${rnd() % 50}","t${rnd() % 50}"],"ok":${rnd() % 2 === 0}},`;
    parts.push(r);
    n += r.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

async function idle(n: number): Promise<void> {
  const held: Sock[] = [];
  for (let i = 0; i < n; i += 200)
    held.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, open))));
  process.stdout.write(`${JSON.stringify({ n: held.length })}\n`);
  setInterval(() => {}, 1000);
}

(mode === 'echo' ? echo(Number(a), Number(b), Number(c)) : idle(Number(a))).catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
