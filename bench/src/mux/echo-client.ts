/**
 * An HTTP/2 echo load generator, run in its own process:
 *   node echo-client.js weft|node-http2 PORT CONCURRENCY SECONDS PAYLOAD_BYTES
 * Keeps CONCURRENCY requests in flight on one connection for SECONDS (after a 1 s warm-up) and
 * prints JSON: { completed, seconds, rps, errors }.
 */
import http2 from 'node:http2';
import { connect } from '@weft/mux/node';

const [kind, portArg, concArg, secArg, payloadArg] = process.argv.slice(2);
const port = Number(portArg);
const concurrency = Number(concArg);
const seconds = Number(secArg);
const payload = Buffer.alloc(Number(payloadArg), 0x61);

interface Requester {
  one(): Promise<void>;
  close(): void;
}

/** Anything with node:http2's `request(headers)` returning a Duplex: weft's session or node's. */
interface Session {
  request(
    headers: Record<string, string>,
  ): NodeJS.ReadWriteStream & { on(event: 'error', l: (e: Error) => void): unknown };
}

function requester(session: Session, close: () => void): Requester {
  return {
    one: () =>
      new Promise((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/echo' });
        let n = 0;
        req.on('data', (c: Buffer) => {
          n += c.length;
        });
        req.on('end', () => (n === payload.length ? resolve() : reject(new Error(`short echo ${n}`))));
        req.on('error', reject);
        req.end(payload);
      }),
    close,
  };
}

function weft(): Requester {
  const session = connect({ host: '127.0.0.1', port });
  return requester(session as unknown as Session, () => void session.close());
}

function node(): Requester {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  return requester(session as unknown as Session, () => session.close());
}

async function main(): Promise<void> {
  const r = kind === 'weft' ? weft() : node();
  let completed = 0;
  let errors = 0;
  let counting = false;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      try {
        await r.one();
        if (counting) completed++;
      } catch {
        errors++;
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((res) => setTimeout(res, 1000));
  counting = true;
  const start = process.hrtime.bigint();
  await new Promise((res) => setTimeout(res, seconds * 1000));
  counting = false;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  stop = true;
  await Promise.all(workers);
  r.close();
  process.stdout.write(
    `${JSON.stringify({ completed, seconds: elapsed, rps: completed / elapsed, errors })}\n`,
  );
  setTimeout(() => process.exit(0), 100).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
