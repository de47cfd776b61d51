/** Interceptors, gzip compression, TLS and graceful close, on every transport. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientInterceptor,
  channelOf,
  createClient,
  defineService,
  RpcError,
  type ServerInterceptor,
  Status,
  unary,
} from '../src/index.js';
import { eventually, sleep, startTestServer, Test, TRANSPORTS } from './fixtures.js';

/** A method that is not idempotent (the channel never retries it), reporting the connection it came on. */
const Solo = defineService('weft.test.v1.Solo', { once: unary<object, { text: string }>() });

const key = readFileSync(new URL('../../mux/test/fixtures/test-key.pem', import.meta.url));
const cert = readFileSync(new URL('../../mux/test/fixtures/test-cert.pem', import.meta.url));

describe.each(TRANSPORTS)('features over %s', (transport) => {
  describe('interceptors', () => {
    const log: string[] = [];
    const auth: ServerInterceptor = async (ctx, next) => {
      if (ctx.metadata.get('authorization') !== 'Bearer good') {
        throw new RpcError(Status.UNAUTHENTICATED, 'missing or bad token');
      }
      await next();
    };
    const serverLog: ServerInterceptor = async (ctx, next) => {
      log.push(`server>${ctx.method}`);
      try {
        await next();
        log.push(`server<${ctx.method} ok`);
      } catch (err) {
        log.push(`server<${ctx.method} ${(err as RpcError).code}`);
        throw err;
      }
    };
    let started: ReturnType<typeof startTestServer>;
    let target: string;

    beforeAll(async () => {
      started = startTestServer({ interceptors: [serverLog, auth] });
      target = `127.0.0.1:${(await started.server.listen({ transport })).port}`;
    });
    afterAll(() => started.server.close({ graceMs: 100 }));

    it('a client interceptor adds credentials and sees the outcome; the server checks them', async () => {
      const outcomes: string[] = [];
      const addToken: ClientInterceptor = async (ctx, next) => {
        ctx.metadata.set('authorization', 'Bearer good');
        await next();
        outcomes.push(`${ctx.method}:${JSON.stringify(ctx.response)}`);
      };
      const client = createClient(Test, { target, transport, interceptors: [addToken] });
      expect(await client.echo({ n: 1 }, { timeoutMs: 5000 })).toEqual({ n: 1 });
      const got: number[] = [];
      for await (const m of client.count({ n: 3 }, { timeoutMs: 5000 })) got.push(m.n!);
      expect(got).toEqual([0, 1, 2]);
      expect(await client.sum([{ n: 2 }, { n: 3 }], { timeoutMs: 5000 })).toEqual({ n: 5 });
      expect(outcomes).toEqual(['echo:{"n":1}', 'count:undefined', 'sum:{"n":5}']);
      expect(log).toContain('server<echo ok');
      // Through the interceptors too, a handler that throws synchronously is UNKNOWN.
      expect((await client.throwSync({}, { timeoutMs: 5000 }).catch((e) => e)).code).toBe(Status.UNKNOWN);
      client.close();
    });

    it('without credentials the server interceptor refuses: UNAUTHENTICATED, the handler never runs', async () => {
      const client = createClient(Test, { target, transport });
      const err = await client.echo({}, { timeoutMs: 5000 }).catch((e) => e);
      expect(err.code).toBe(Status.UNAUTHENTICATED);
      expect(err.message).toBe('missing or bad token');
      expect(log.at(-1)).toBe(`server<echo ${Status.UNAUTHENTICATED}`);
      client.close();
    });

    it('a client interceptor that throws fails the call before it is sent', async () => {
      const deny: ClientInterceptor = async () => {
        throw new RpcError(Status.PERMISSION_DENIED, 'local policy');
      };
      const client = createClient(Test, { target, transport, interceptors: [deny] });
      const before = log.length;
      expect((await client.echo({}, { timeoutMs: 5000 }).catch((e) => e)).code).toBe(
        Status.PERMISSION_DENIED,
      );
      const stream = client.count({ n: 1 }, { timeoutMs: 5000 });
      const err = await (async () => {
        for await (const _ of stream) {
          // nothing arrives
        }
      })().catch((e) => e);
      expect(err.code).toBe(Status.PERMISSION_DENIED);
      expect(log.length).toBe(before);
      client.close();
    });
  });

  describe('onError', () => {
    const seen: string[] = [];
    let started: ReturnType<typeof startTestServer>;
    let target: string;
    beforeAll(async () => {
      started = startTestServer({
        onError: (err, ctx) => seen.push(`${ctx.method}: ${(err as Error).message}`),
      });
      target = `127.0.0.1:${(await started.server.listen({ transport })).port}`;
    });
    afterAll(() => started.server.close({ graceMs: 100 }));

    it('hears what handlers throw that is not an RpcError, thrown at once or later; the client sees UNKNOWN', async () => {
      const client = createClient(Test, { target, transport });
      await client.throwPlain({}).catch(() => {});
      await client.throwSync({}).catch(() => {});
      await client.fail({ code: Status.NOT_FOUND }).catch(() => {}); // an RpcError: not reported
      expect((await client.throwSync({}).catch((e) => e)).code).toBe(Status.UNKNOWN);
      expect(seen).toEqual([
        'throwPlain: secret internal detail',
        'throwSync: secret synchronous detail',
        'throwSync: secret synchronous detail',
      ]);
      client.close();
    });
  });

  describe('gzip compression', () => {
    let started: ReturnType<typeof startTestServer>;
    let target: string;
    beforeAll(async () => {
      started = startTestServer({ compression: { thresholdBytes: 1024 } });
      target = `127.0.0.1:${(await started.server.listen({ transport })).port}`;
    });
    afterAll(() => started.server.close({ graceMs: 100 }));

    it('large messages are compressed both ways and arrive intact; small ones are not', async () => {
      const client = createClient(Test, { target, transport, compression: { thresholdBytes: 1024 } });
      const text = 'weft '.repeat(100_000);
      expect((await client.echo({ text }, { timeoutMs: 10_000 })).text).toBe(text);
      expect(await client.echo({ n: 1 }, { timeoutMs: 5000 })).toEqual({ n: 1 });
      const got: string[] = [];
      for await (const m of client.chat([{ text }, { n: 2 }, { text }], { timeoutMs: 10_000 }))
        got.push(m.text ?? '');
      expect(got).toEqual([text, '', text]);
      client.close();
    });

    it('a gzip bomb is refused with RESOURCE_EXHAUSTED at the receive limit', async () => {
      // 8 MiB of zeros compresses to ~8 KiB: under the 4 MiB wire limit, over it once inflated.
      const client = createClient(Test, {
        target,
        transport,
        compression: { thresholdBytes: 1024 },
        maxMessageBytes: 64 * 1024 * 1024,
      });
      const err = await client
        .echo({ bytes: new Uint8Array(8 * 1024 * 1024) }, { timeoutMs: 10_000 })
        .catch((e) => e);
      expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
      client.close();
    });
  });

  describe('TLS', () => {
    it('calls work over TLS', async () => {
      const started = startTestServer();
      const { port } = await started.server.listen({ transport, tls: { key, cert } });
      const tlsOptions = { tls: { ca: cert, servername: 'localhost' } };
      const client = createClient(Test, {
        target: `localhost:${port}`,
        transport,
        mux: tlsOptions,
        pooled: tlsOptions,
        ws: tlsOptions,
      });
      expect(await client.echo({ text: 'secure' }, { timeoutMs: 5000 })).toEqual({ text: 'secure' });
      const got: number[] = [];
      for await (const m of client.chat([{ n: 1 }, { n: 2 }], { timeoutMs: 5000 })) got.push(m.n!);
      expect(got).toEqual([1, 2]);
      client.close();
      await started.server.close({ graceMs: 100 });
    });
  });

  describe('graceful close', () => {
    it('calls in flight finish within the grace period; later calls fail fast, none hang', async () => {
      const started = startTestServer();
      const { port } = await started.server.listen({ transport });
      const client = createClient(Test, { target: `127.0.0.1:${port}`, transport });
      await client.echo({}, { timeoutMs: 5000 });
      const inFlight = client.sleep({ sleepMs: 200 }, { timeoutMs: 5000 });
      await sleep(50);
      const closing = started.server.close({ graceMs: 2000 });
      expect(await inFlight).toEqual({ text: 'done' });
      await closing;
      const err = await client.echo({}, { timeoutMs: 2000 }).catch((e) => e);
      expect(err.code).toBe(Status.UNAVAILABLE);
      client.close();
    });

    it('max connection age: connections are replaced under load without failing a call', async () => {
      // Echo is idempotent in the fixture, so the channel could hide failures by retrying: count
      // the calls the server saw instead — every call made must have been served exactly once.
      const started = startTestServer({ maxConnectionAgeMs: 150 });
      const { port } = await started.server.listen({ transport });
      const peers = new Set<string>();
      started.server.add(Solo, {
        once: async (_req, ctx) => {
          peers.add(ctx.peer);
          return { text: ctx.peer };
        },
      });
      const client = createClient(Solo, {
        target: `127.0.0.1:${port}`,
        transport,
        retry: { maxAttempts: 1 },
      });
      let stop = false;
      let calls = 0;
      let failures = 0;
      const loops = Array.from({ length: 4 }, async () => {
        while (!stop) {
          calls++;
          await client.once({}, { timeoutMs: 2000 }).catch(() => failures++);
        }
      });
      await sleep(800);
      stop = true;
      await Promise.all(loops);
      expect(calls).toBeGreaterThan(50);
      expect(failures).toBe(0);
      // The connections were replaced several times.
      expect(peers.size).toBeGreaterThanOrEqual(3);
      client.close();
      await started.server.close({ graceMs: 100 });
    });

    it('a graceful close fails none of the calls the server has, retries off', async () => {
      const started = startTestServer();
      const { port } = await started.server.listen({ transport });
      const client = createClient(Test, {
        target: `127.0.0.1:${port}`,
        transport,
        retry: { maxAttempts: 1 },
      });
      // Ten calls (under the pool's 16 connections), all at the server before it starts closing.
      const inFlight = Array.from({ length: 10 }, () => client.sleep({ sleepMs: 150 }, { timeoutMs: 5000 }));
      await sleep(60);
      const closing = started.server.close({ graceMs: 2000 });
      for (const r of await Promise.all(inFlight)) expect(r).toEqual({ text: 'done' });
      await closing;
      client.close();
    });

    it('calls still running when the grace period ends are cancelled, and the client is told', async () => {
      const started = startTestServer();
      const { port } = await started.server.listen({ transport });
      const client = createClient(Test, { target: `127.0.0.1:${port}`, transport });
      const inFlight = client.sleep({ sleepMs: 5000 }, { timeoutMs: 10_000 }).catch((e) => e);
      await sleep(50);
      const t0 = Date.now();
      await started.server.close({ graceMs: 100 });
      const err = await inFlight;
      expect(err).toBeInstanceOf(RpcError);
      expect([Status.UNAVAILABLE, Status.CANCELLED]).toContain(err.code);
      expect(Date.now() - t0).toBeLessThan(2000);
      await eventually(() => started.observed.aborted.includes('sleep'));
      client.close();
    });
  });
});

// One WebSocket per endpoint: resumption matters for the transports that open several connections.
describe.each(['mux', 'pooled'] as const)('TLS session resumption over %s', (transport) => {
  it('later connections to an endpoint resume the TLS session of earlier ones', async () => {
    const started = startTestServer();
    const { port } = await started.server.listen({ transport, tls: { key, cert } });
    const tlsOptions = { tls: { ca: cert, servername: 'localhost' } };
    // Force more connections: four calls at once over 1-call pooled connections, or over mux
    // connections scaled at one stream each.
    const client = createClient(Test, {
      target: `localhost:${port}`,
      transport,
      mux: { ...tlsOptions, streamsPerConnection: 1, maxConnections: 4 },
      pooled: { ...tlsOptions, maxConnections: 4 },
    });
    await client.echo({}, { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([1, 2, 3, 4].map(() => client.sleep({ sleepMs: 100 }, { timeoutMs: 5000 })));
    const [endpoint] = channelOf(client).stats().endpoints;
    expect(endpoint!.connections).toBeGreaterThanOrEqual(3);
    expect(endpoint!.tlsResumed).toBeGreaterThanOrEqual(2);
    client.close();
    await started.server.close({ graceMs: 100 });
  });
});
