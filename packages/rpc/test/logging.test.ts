/**
 * What a channel does on its own is logged: to a `logger` option (pino-shaped), or to stderr with
 * NODE_DEBUG=weft — resolution, endpoint states with the failure's cause, retries, ejections.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  createServer,
  defineService,
  type Logger,
  RpcError,
  type Server,
  Status,
  unary,
} from '../src/index.js';
import { freePort, TRANSPORTS } from './fixtures.js';

const Flaky = defineService('weft.test.v1.Flaky', { m: unary<object, object>({ idempotent: true }) });

function collecting(): {
  logger: Logger;
  entries: { level: string; message: string; fields: Record<string, unknown> }[];
} {
  const entries: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: object, message: string) =>
    entries.push({ level, message, fields: fields as Record<string, unknown> });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, entries };
}

describe('channel logging', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    server.add(Flaky, {
      m: async () => {
        throw new RpcError(Status.UNAVAILABLE, 'overloaded');
      },
    });
    port = (await server.listen()).port;
  });
  afterAll(() => server.close({ graceMs: 50 }));

  it('tells a logger of resolution, failures with their cause, retries and ejections', async () => {
    const down = await freePort();
    const { logger, entries } = collecting();
    const client = createClient(Flaky, {
      target: `static:///127.0.0.1:${down},127.0.0.1:${port}`,
      balancer: 'round-robin',
      ejection: { consecutiveFailures: 2, maxEjectionPercent: 50 },
      logger,
    });
    for (let i = 0; i < 6; i++) await client.m({}, { timeoutMs: 2000 }).catch(() => {});
    client.close();
    const messages = entries.map((e) => e.message);
    expect(messages).toContain('weft: resolved');
    const failure = entries.find(
      (e) => e.message === 'weft: endpoint' && e.fields.state === 'transient-failure',
    );
    expect(failure?.level).toBe('warn');
    expect(String(failure?.fields.error)).toContain('ECONNREFUSED');
    expect(
      entries.some((e) => e.message === 'weft: retrying' && e.fields.path === '/weft.test.v1.Flaky/m'),
    ).toBe(true);
    expect(entries.some((e) => e.level === 'info' && e.message.startsWith('weft: endpoint ejected'))).toBe(
      true,
    );
  });

  it('NODE_DEBUG=weft writes the same to stderr', async () => {
    const fixture = fileURLToPath(new URL('./logging-fixture.mjs', import.meta.url));
    const down = await freePort();
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [fixture, String(down)], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 10_000,
      });
    const on = run({ NODE_DEBUG: 'weft' });
    expect(on.status).toBe(0);
    expect(on.stderr).toMatch(
      /WEFT \d+: warn weft: endpoint .*state="transient-failure" error=".*ECONNREFUSED/,
    );
    const off = run({ NODE_DEBUG: '' });
    expect(off.status).toBe(0);
    expect(off.stderr).not.toContain('weft: endpoint');
  });
});

describe.each(TRANSPORTS)('GOAWAY over %s', (transport) => {
  it('a server going away is logged by the client, with the endpoint', async () => {
    const OK = defineService('weft.test.v1.Ok', { m: unary<object, object>() });
    const server = createServer();
    server.add(OK, { m: async () => ({}) });
    const { port } = await server.listen({ transport });
    const { logger, entries } = collecting();
    const client = createClient(OK, { target: `127.0.0.1:${port}`, transport, logger });
    try {
      await client.m({}, { timeoutMs: 5000 });
      await server.close({ graceMs: 200 });
      const until = Date.now() + 3000;
      while (!entries.some((e) => e.message === 'weft: goaway') && Date.now() < until)
        await new Promise((r) => setTimeout(r, 10));
    } finally {
      client.close();
    }
    const goaway = entries.find((e) => e.message === 'weft: goaway');
    expect(goaway?.level).toBe('info');
    expect(goaway?.fields.transport).toBe(transport);
    expect(JSON.stringify(goaway?.fields)).toContain(String(port));
  });
});
