/** weft.health.v1.Health on every server: check, watch, per-service status, and graceful close. */
import { describe, expect, it } from 'vitest';
import { createClient, HealthService, RpcError, Status } from '../src/index.js';
import { startTestServer, TRANSPORTS } from './fixtures.js';

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
