/**
 * Connection failures say why: the transport's error in the message and as `cause`, the last
 * error per endpoint in `stats()`, a transport mismatch named, a refused WebSocket upgrade and a
 * certificate that does not verify told as such.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelOf, createClient, RpcError, Status, type TransportKind } from '../src/index.js';
import { freePort, startTestServer, Test, TRANSPORTS } from './fixtures.js';

const key = readFileSync(new URL('../../mux/test/fixtures/test-key.pem', import.meta.url));
const cert = readFileSync(new URL('../../mux/test/fixtures/test-cert.pem', import.meta.url));

async function failure(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RpcError) return err;
    throw err;
  }
  throw new Error('the call succeeded; it should have failed');
}

describe.each(TRANSPORTS)('a server that is down, over %s', (transport) => {
  it('names the refused connection, as message, cause and the endpoint’s lastError', async () => {
    const port = await freePort();
    const client = createClient(Test, { target: `127.0.0.1:${port}`, transport, retry: { maxAttempts: 1 } });
    const first = await failure(client.echo({ n: 1 }, { timeoutMs: 2000 }));
    expect(first.code).toBe(Status.UNAVAILABLE);
    expect(first.message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    // A connection never made says nothing of the server's transport.
    expect(first.message).not.toContain("transport '");
    expect((first.cause as Error | undefined)?.message).toContain('ECONNREFUSED');
    // Now backing off: the channel fails fast, and says what the last attempt ran into.
    const second = await failure(client.echo({ n: 1 }, { timeoutMs: 2000 }));
    expect(second.message).toContain('no endpoint is available');
    expect(second.message).toContain('ECONNREFUSED');
    expect((second.cause as Error | undefined)?.message).toContain('ECONNREFUSED');
    const [endpoint] = channelOf(client).stats().endpoints;
    expect(endpoint!.lastError?.message).toContain('ECONNREFUSED');
    expect(Math.abs(Date.now() - endpoint!.lastError!.at)).toBeLessThan(5000);
    client.close();
  });
});

describe('a client and a server on different transports', () => {
  let started: ReturnType<typeof startTestServer>;
  const ports: Partial<Record<TransportKind, number>> = {};
  beforeAll(async () => {
    started = startTestServer();
    for (const t of TRANSPORTS) ports[t] = (await started.server.listen({ transport: t })).port;
  });
  afterAll(() => started.server.close({ graceMs: 50 }));

  const cases: [TransportKind, TransportKind][] = TRANSPORTS.flatMap((c) =>
    TRANSPORTS.filter((s) => s !== c).map((s) => [c, s] as [TransportKind, TransportKind]),
  );
  it.each(cases)('a %s client calling a %s server is told what the server speaks', async (client, server) => {
    const c = createClient(Test, {
      target: `127.0.0.1:${ports[server]}`,
      transport: client,
      retry: { maxAttempts: 1 },
    });
    const err = await failure(c.echo({ n: 1 }, { timeoutMs: 3000 }));
    c.close();
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toContain(`transport '${server}'`);
  });
});

describe('handshakes that fail', () => {
  it('a WebSocket upgrade answered 404 says so', async () => {
    const srv = http.createServer((_req, res) => res.writeHead(404).end('no'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const c = createClient(Test, {
      target: `127.0.0.1:${(srv.address() as AddressInfo).port}`,
      transport: 'ws',
      retry: { maxAttempts: 1 },
    });
    const err = await failure(c.echo({ n: 1 }, { timeoutMs: 3000 }));
    c.close();
    srv.close();
    expect(err.message).toContain('WebSocket upgrade was refused with HTTP 404');
  });

  it.each(TRANSPORTS)('a certificate that does not verify is named (%s)', async (transport) => {
    const started = startTestServer();
    const { port } = await started.server.listen({ transport, tls: { key, cert } });
    // No `ca`: the test certificate is self-signed, so verification fails.
    const options = { tls: { servername: 'localhost' } };
    const c = createClient(Test, {
      target: `127.0.0.1:${port}`,
      transport,
      retry: { maxAttempts: 1 },
      ...(transport === 'mux'
        ? { mux: options }
        : transport === 'pooled'
          ? { pooled: options }
          : { ws: options }),
    });
    const err = await failure(c.echo({ n: 1 }, { timeoutMs: 3000 }));
    c.close();
    await started.server.close({ graceMs: 50 });
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.message).toMatch(/self[- ]signed certificate/);
  });
});

describe('caller mistakes are usage errors where they are made', () => {
  it('a service with a method keyed close or then is refused by defineService', async () => {
    const { defineService, unary } = await import('../src/index.js');
    for (const name of ['close', 'then']) {
      expect(() => defineService('weft.test.v1.Clash', { [name]: unary() })).toThrow(
        expect.objectContaining({ name: 'RpcUsageError', code: 'RPC_ERR_INVALID_SERVICE' }),
      );
    }
    // The wire name may still be `close`, under another key.
    expect(() =>
      defineService('weft.test.v1.Clash', { closeSession: unary({ name: 'close' }) }),
    ).not.toThrow();
  });
});
