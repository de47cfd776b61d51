/** grpc.health.v1.Health on every server: check, watch, per-service status, and graceful close. */
import { describe, expect, it } from 'vitest';
import {
  channelOf,
  createClient,
  createServer,
  defineService,
  HealthService,
  RpcError,
  Status,
  unary,
} from '../src/index.js';
import { eventually, startTestServer, TRANSPORTS } from './fixtures.js';

describe.each(TRANSPORTS)('health over %s', (transport) => {
  it('reports the server and each service it serves; NOT_FOUND for others', async () => {
    const { server } = startTestServer();
    const { port } = await server.listen({ transport });
    const health = createClient(HealthService, { target: `127.0.0.1:${port}`, transport });
    expect(await health.check({})).toEqual({ status: 'SERVING' });
    expect(await health.check({ service: 'weft.test.v1.Test' })).toEqual({ status: 'SERVING' });
    const err = await health.check({ service: 'no.such.Service' }).catch((e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(Status.NOT_FOUND);
    server.health.set('weft.test.v1.Test', 'NOT_SERVING');
    expect(await health.check({ service: 'weft.test.v1.Test' })).toEqual({ status: 'NOT_SERVING' });
    health.close();
    await server.close({ graceMs: 100 });
  });

  it('watch follows changes; a graceful close says NOT_SERVING and ends the watch at once', async () => {
    const { server } = startTestServer();
    const { port } = await server.listen({ transport });
    const health = createClient(HealthService, { target: `127.0.0.1:${port}`, transport });
    const seen: string[] = [];
    const watch = (async () => {
      for await (const { status } of health.watch({ service: 'weft.test.v1.Test' }, { timeoutMs: 10_000 })) {
        seen.push(status);
        if (seen.length === 1) server.health.set('weft.test.v1.Test', 'NOT_SERVING');
        if (seen.length === 2) server.health.set('weft.test.v1.Test', 'SERVING');
      }
    })();
    while (seen.length < 3) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    await server.close({ graceMs: 5000 });
    await watch;
    // The watch ended with the close, well within the grace period.
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(seen).toEqual(['SERVING', 'NOT_SERVING', 'SERVING', 'NOT_SERVING']);
    health.close();
  });
});

describe('active health checks from the client', () => {
  const Who = defineService('weft.test.v1.HealthWho', {
    who: unary<object, { text: string }>({ idempotent: true }),
  });
  const serve = async (name: string, options: { health?: boolean } = {}) => {
    const server = createServer(options);
    server.add(Who, { who: async () => ({ text: name }) });
    return { server, port: (await server.listen({ transport: 'mux' })).port };
  };

  it('a server whose service is NOT_SERVING gets no calls until it is SERVING again', async () => {
    const a = await serve('a');
    const b = await serve('b');
    const client = createClient(Who, {
      target: `static:///127.0.0.1:${a.port},127.0.0.1:${b.port}`,
      balancer: 'round-robin',
      healthCheck: { intervalMs: 40 },
    });
    const names = async (n: number) => {
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) seen.add((await client.who({}, { timeoutMs: 2000 })).text);
      return [...seen].sort();
    };
    expect(await names(6)).toEqual(['a', 'b']);
    a.server.health.set(Who.name, 'NOT_SERVING');
    await eventually(() => channelOf(client).stats().endpoints[0]!.healthy === false, 2000);
    expect(await names(6)).toEqual(['b']);
    a.server.health.set(Who.name, 'SERVING');
    await eventually(() => channelOf(client).stats().endpoints[0]!.healthy, 2000);
    expect(await names(6)).toEqual(['a', 'b']);
    client.close();
    await Promise.all([a.server.close({ graceMs: 50 }), b.server.close({ graceMs: 50 })]);
  });

  it('a server without the health service (UNIMPLEMENTED) counts as healthy, as in gRFC A17', async () => {
    const a = await serve('a', { health: false });
    const b = await serve('b');
    const client = createClient(Who, {
      target: `static:///127.0.0.1:${a.port},127.0.0.1:${b.port}`,
      balancer: 'round-robin',
      healthCheck: { intervalMs: 40 },
    });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await client.who({}, { timeoutMs: 2000 })).text);
    await new Promise((r) => setTimeout(r, 120)); // a few checks answered UNIMPLEMENTED
    expect(
      channelOf(client)
        .stats()
        .endpoints.map((e) => e.healthy),
    ).toEqual([true, true]);
    expect([...seen].sort()).toEqual(['a', 'b']);
    client.close();
    await Promise.all([a.server.close({ graceMs: 50 }), b.server.close({ graceMs: 50 })]);
  });
});
