/**
 * One call's oversized metadata costs that call alone: the client refuses it locally with
 * RESOURCE_EXHAUSTED (not retried) before it reaches the wire, where it would have cost the shared
 * connection (an HTTP/2 server cannot decode a header block past its limit and sends GOAWAY; an
 * envelope server closes the link) and so every call in flight on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, RpcError, type Server, Status } from '../src/index.js';
import { startTestServer, Test, TRANSPORTS } from './fixtures.js';

describe.each(TRANSPORTS)('oversized metadata over %s', (transport) => {
  let server: Server;
  let target: string;
  beforeAll(async () => {
    server = startTestServer().server;
    target = `static:///127.0.0.1:${(await server.listen({ transport })).port}`;
  });
  afterAll(() => server.close({ graceMs: 100 }));

  it('is refused locally; the calls in flight on the same connection finish', async () => {
    const client = createClient(Test, { target, transport });
    try {
      await client.echo({ text: 'warm' }); // the connection is up and has the server's limits
      const inFlight = Array.from({ length: 20 }, (_, i) => client.sleep({ sleepMs: 150, text: `${i}` }));
      const err = await client
        .echo({ text: 'big' }, { metadata: { 'x-big': 'a'.repeat(100 * 1024) } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).code).toBe(Status.RESOURCE_EXHAUSTED);
      expect((err as RpcError).noRetry).toBe(true);
      expect((err as RpcError).message).toMatch(/at most/);
      const done = await Promise.allSettled(inFlight);
      expect(done.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
      // Metadata within the limit still goes through, on the same connection.
      expect(await client.echo({ text: 'ok' }, { metadata: { 'x-fine': 'a'.repeat(30 * 1024) } })).toEqual({
        text: 'ok',
      });
    } finally {
      client.close();
    }
  });
});
