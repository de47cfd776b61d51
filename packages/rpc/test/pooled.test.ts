/** The pooled transport's pool: reuse, limits, the wait queue, pipelining, and connection hygiene. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type PooledClientOptions, Status } from '../src/index.js';
import { eventually, sleep, startTestServer, Test } from './fixtures.js';

describe('pooled transport', () => {
  let started: ReturnType<typeof startTestServer>;
  let target: string;
  const peers: string[] = [];

  beforeAll(async () => {
    started = startTestServer({
      interceptors: [
        async (ctx, next) => {
          peers.push(ctx.peer);
          await next();
        },
      ],
    });
    const address = await started.server.listen({ transport: 'pooled' });
    target = `static:///127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await started.server.close({ graceMs: 100 });
  });

  const clientWith = (pooled: PooledClientOptions) =>
    createClient(Test, { target, transport: 'pooled', pooled });
  const distinctPeers = (from: number) => new Set(peers.slice(from)).size;

  it('one call per connection: concurrent calls open up to maxConnections, then reuse them', async () => {
    const client = clientWith({ maxConnections: 2 });
    const from = peers.length;
    const t0 = Date.now();
    await Promise.all([1, 2, 3, 4].map(() => client.sleep({ sleepMs: 100 }, { timeoutMs: 5000 })));
    const elapsed = Date.now() - t0;
    expect(distinctPeers(from)).toBe(2);
    // Two rounds of two calls each.
    expect(elapsed).toBeGreaterThanOrEqual(190);
    client.close();
  });

  it('pipelining answers in order on one connection: a slow call holds back the ones behind it', async () => {
    const client = clientWith({ maxConnections: 1, pipelining: 4 });
    const from = peers.length;
    const finished: string[] = [];
    const slow = client.sleep({ sleepMs: 200 }, { timeoutMs: 5000 }).then(() => finished.push('slow'));
    await sleep(20);
    const fast = [1, 2, 3].map((n) =>
      client.echo({ n }, { timeoutMs: 5000 }).then(() => finished.push(`fast${n}`)),
    );
    await Promise.all([slow, ...fast]);
    expect(finished).toEqual(['slow', 'fast1', 'fast2', 'fast3']);
    expect(distinctPeers(from)).toBe(1);
    client.close();
  });

  it('a full wait queue refuses at once with RESOURCE_EXHAUSTED', async () => {
    const client = clientWith({ maxConnections: 1, maxWaiting: 1 });
    const a = client.sleep({ sleepMs: 200 }, { timeoutMs: 5000 });
    const b = client.sleep({ sleepMs: 10 }, { timeoutMs: 5000 });
    const t0 = Date.now();
    const err = await client.echo({}, { timeoutMs: 5000 }).catch((e) => e);
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(Date.now() - t0).toBeLessThan(100);
    await Promise.all([a, b]);
    client.close();
  });

  it('a call waiting longer than waitTimeoutMs fails with UNAVAILABLE', async () => {
    const client = clientWith({ maxConnections: 1, waitTimeoutMs: 100 });
    const a = client.sleep({ sleepMs: 400 }, { timeoutMs: 5000 });
    const t0 = Date.now();
    const err = await client.echo({}, { timeoutMs: 5000 }).catch((e) => e);
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    await a;
    client.close();
  });

  it('each waiting call has its own wait timeout, measured from when it began to wait', async () => {
    const client = clientWith({ maxConnections: 1, waitTimeoutMs: 150 });
    const a = client.sleep({ sleepMs: 100 }, { timeoutMs: 5000 });
    // b waits from 0 ms and gets the connection at ~100 ms, before its wait timeout (150 ms).
    const b = client.sleep({ sleepMs: 400 }, { timeoutMs: 5000 });
    await sleep(60);
    // c waits from ~60 ms; b holds the connection until ~500 ms, so c gives up at ~210 ms.
    const t0 = Date.now();
    const c = await client.echo({}, { timeoutMs: 5000 }).catch((e) => e);
    expect(c.code).toBe(Status.UNAVAILABLE);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(145);
    expect(Date.now() - t0).toBeLessThan(350);
    expect(await b).toEqual({ text: 'done' });
    await a;
    client.close();
  });

  it('a call the client gives up on closes its connection: the next call gets a fresh one', async () => {
    // Cancelled by the client (not timed out: with a deadline the server may answer
    // DEADLINE_EXCEEDED first, ending the call normally, and the connection is rightly reused).
    const client = clientWith({ maxConnections: 1 });
    await client.echo({}, { timeoutMs: 5000 });
    const first = peers.at(-1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await client.sleep({ sleepMs: 2000 }, { signal: controller.signal }).catch((e) => e);
    expect(err.code).toBe(Status.CANCELLED);
    await client.echo({}, { timeoutMs: 5000 });
    expect(peers.at(-1)).not.toBe(first);
    client.close();
  });

  it('a streaming call holds its connection until it ends', async () => {
    const client = clientWith({ maxConnections: 1 });
    const controller = new AbortController();
    const stream = client.sleepStream({ sleepMs: 10 }, { signal: controller.signal, timeoutMs: 5000 });
    const consumed = (async () => {
      for await (const _ of stream) {
        // read until cancelled
      }
    })().catch((e) => e);
    await sleep(50);
    let echoed = false;
    const echo = client.echo({}, { timeoutMs: 5000 }).then(() => {
      echoed = true;
    });
    await sleep(100);
    expect(echoed).toBe(false);
    controller.abort();
    expect((await consumed).code).toBe(Status.CANCELLED);
    await echo;
    expect(echoed).toBe(true);
    client.close();
  });

  it('idle connections above minConnections close after idleTimeoutMs', async () => {
    const client = createClient(Test, {
      target,
      transport: 'pooled',
      pooled: { idleTimeoutMs: 100, minConnections: 1, maxConnections: 4 },
    });
    const from = peers.length;
    await Promise.all([1, 2, 3].map(() => client.sleep({ sleepMs: 50 }, { timeoutMs: 5000 })));
    const firstRound = new Set(peers.slice(from));
    expect(firstRound.size).toBe(3);
    await sleep(300);
    // minConnections kept one open; the two others closed, so a second round opens two new ones.
    const next = peers.length;
    await Promise.all([1, 2, 3].map(() => client.sleep({ sleepMs: 50 }, { timeoutMs: 5000 })));
    const fresh = peers.slice(next).filter((p) => !firstRound.has(p));
    expect(fresh.length).toBe(2);
    client.close();
  });

  it('a refused connection fails the call with UNAVAILABLE', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const client = createClient(Test, { target: `127.0.0.1:${port}`, transport: 'pooled' });
    const err = await client.echo({}, { timeoutMs: 5000 }).catch((e) => e);
    expect(err.code).toBe(Status.UNAVAILABLE);
    client.close();
  });

  it('after close, calls fail with UNAVAILABLE', async () => {
    const client = clientWith({});
    client.close();
    const err = await client.echo({}, { timeoutMs: 5000 }).catch((e) => e);
    expect(err.code).toBe(Status.UNAVAILABLE);
    await eventually(() => started.server.activeCalls === 0);
  });
});
