/**
 * An impaired link in userspace, in its own process: `node link-proxy.js TARGET_PORT RTT_MS MBIT`.
 * Prints `{"port":N}`; every connection to that port is relayed to TARGET_PORT on loopback with
 * half the round-trip time added each way, and each direction limited to MBIT megabits per second,
 * shared by all connections (one bottleneck link, as a real path has). Loss cannot be emulated here:
 * both legs are lossless loopback TCP, so a lost segment never stalls a connection — the report
 * says so. A connection's direction holding more than 4 MiB in flight stops reading its source.
 */
import net, { type AddressInfo } from 'node:net';

const [targetArg, rttArg, mbitArg] = process.argv.slice(2);
const target = Number(targetArg);
const oneWayMs = Number(rttArg) / 2;
const bytesPerMs = (Number(mbitArg) * 1e6) / 8 / 1000;
const HIGH_WATER = 4 * 2 ** 20;

/** One direction of the link: a serialisation queue shared by every connection. */
class Direction {
  #nextFree = 0;
  readonly #queue: { at: number; chunk: Buffer; to: Relay }[] = [];
  #timer: NodeJS.Timeout | undefined;

  send(chunk: Buffer, to: Relay): void {
    const now = performance.now();
    const start = Math.max(now, this.#nextFree);
    this.#nextFree = start + chunk.length / bytesPerMs;
    this.#queue.push({ at: this.#nextFree + oneWayMs, chunk, to });
    to.queued(chunk.length);
    this.#arm();
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#queue.length === 0) return;
    const wait = Math.max(0, this.#queue[0]!.at - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = performance.now();
      while (this.#queue.length > 0 && this.#queue[0]!.at <= now + 0.5) {
        const { chunk, to } = this.#queue.shift()!;
        to.deliver(chunk);
      }
      this.#arm();
    }, wait);
  }
}

/** Bytes of one connection's direction: from `source`, delayed, to `sink`. */
class Relay {
  #inFlight = 0;
  constructor(
    readonly source: net.Socket,
    readonly sink: net.Socket,
  ) {}

  queued(n: number): void {
    this.#inFlight += n;
    if (this.#inFlight > HIGH_WATER) this.source.pause();
  }

  deliver(chunk: Buffer): void {
    this.#inFlight -= chunk.length;
    if (!this.sink.destroyed) this.sink.write(chunk);
    if (this.#inFlight <= HIGH_WATER / 2 && this.source.isPaused()) this.source.resume();
  }
}

const up = new Direction();
const down = new Direction();

const server = net.createServer((client) => {
  client.setNoDelay(true);
  const upstream = net.connect({ port: target, host: '127.0.0.1', noDelay: true });
  const toServer = new Relay(client, upstream);
  const toClient = new Relay(upstream, client);
  client.on('data', (c: Buffer) => up.send(c, toServer));
  upstream.on('data', (c: Buffer) => down.send(c, toClient));
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('close', close);
  upstream.on('close', close);
  client.on('error', () => {});
  upstream.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
