/**
 * The dns: and dns+srv: resolvers against a real DNS server on loopback: dnsmasq (Debian
 * dnsmasq-base, installed by .ci/run), serving records this test writes, re-read on SIGHUP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelOf, createClient, createServer, defineService, type Server, unary } from '../src/index.js';
import { eventually, freePort } from './fixtures.js';

const Who = defineService('weft.test.v1.Who', { who: unary<object, { text: string }>({ idempotent: true }) });

const dnsmasq = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'].find((p) => existsSync(p));

async function serve(name: string, host: string, port: number): Promise<Server> {
  const server = createServer();
  server.add(Who, { who: async () => ({ text: name }) });
  await server.listen({ host, port, transport: 'mux' });
  return server;
}

describe.skipIf(dnsmasq === undefined)('dns resolvers against dnsmasq', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-dns-'));
  const hosts = join(dir, 'hosts');
  let dns: ChildProcess;
  let dnsPort: number;
  let port: number;
  let one: Server;
  let two: Server;

  beforeAll(async () => {
    port = await freePort();
    one = await serve('one', '127.0.0.1', port);
    two = await serve('two', '127.0.0.2', port);
    writeFileSync(hosts, '127.0.0.1 svc.weft.test\n127.0.0.1 a.weft.test\n127.0.0.2 b.weft.test\n', {
      mode: 0o644,
    });
    dnsPort = await freePort();
    dns = spawn(
      dnsmasq!,
      [
        '--keep-in-foreground',
        '--conf-file=/dev/null',
        `--port=${dnsPort}`,
        '--listen-address=127.0.0.1',
        '--bind-interfaces',
        '--no-resolv',
        '--no-hosts',
        `--addn-hosts=${hosts}`,
        '--pid-file=',
        '--user=root',
        // SRV: priority 0 holds a and b (weights 10 and 30); priority 5 is a fallback to a.
        `--srv-host=_rpc._tcp.weft.test,a.weft.test,${port},0,10`,
        `--srv-host=_rpc._tcp.weft.test,b.weft.test,${port},0,30`,
        `--srv-host=_rpc._tcp.weft.test,a.weft.test,${port},5,10`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    dns.stderr!.on('data', (c: Buffer) => {
      log += c.toString();
    });
    // Ready once it answers on TCP.
    await eventually(
      () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect(dnsPort, '127.0.0.1', () => {
            s.destroy();
            resolve(true);
          });
          s.on('error', () => resolve(false));
        }),
      5000,
    ).catch((err) => {
      throw new Error(`dnsmasq did not start: ${log} ${err}`);
    });
  });

  afterAll(async () => {
    dns?.kill('SIGKILL');
    await Promise.all([one?.close({ graceMs: 50 }), two?.close({ graceMs: 50 })]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('dns: resolves A records and follows a change of address', async () => {
    const client = createClient(Who, {
      target: `dns://127.0.0.1:${dnsPort}/svc.weft.test:${port}`,
      dns: { refreshMs: 100, minIntervalMs: 50 },
    });
    expect((await client.who({}, { timeoutMs: 5000 })).text).toBe('one');
    expect(
      channelOf(client)
        .stats()
        .endpoints.map((e) => e.address),
    ).toEqual([`127.0.0.1:${port}`]);
    writeFileSync(hosts, '127.0.0.2 svc.weft.test\n127.0.0.1 a.weft.test\n127.0.0.2 b.weft.test\n');
    dns.kill('SIGHUP');
    await eventually(async () => (await client.who({}, { timeoutMs: 5000 })).text === 'two', 5000);
    expect(
      channelOf(client)
        .stats()
        .endpoints.map((e) => e.address),
    ).toEqual([`127.0.0.2:${port}`]);
    client.close();
  });

  it('dns+srv: uses the lowest priority, shares calls by weight', async () => {
    const client = createClient(Who, { target: `dns+srv://127.0.0.1:${dnsPort}/_rpc._tcp.weft.test` });
    const seen = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const { text } = await client.who({}, { timeoutMs: 5000 });
      seen.set(text, (seen.get(text) ?? 0) + 1);
    }
    expect(
      channelOf(client)
        .stats()
        .endpoints.map((e) => e.address)
        .sort(),
    ).toEqual([`127.0.0.1:${port}`, `127.0.0.2:${port}`]);
    // Weights 10 and 30: both serve, b ("two") more (p2c draws two by weight, with replacement). a is
    // drawn twice in 1/16 of the picks whatever the latencies, so it serves at least ~25 of 400
    // (σ ≈ 4.8); when the latency EWMA favours b in every mixed draw a gets no more than that, which
    // once took a bound of 10 in 200 calls (9 seen in CI). 5 is four σ below the floor.
    expect(seen.get('one') ?? 0).toBeGreaterThan(5);
    expect(seen.get('two') ?? 0).toBeGreaterThan(seen.get('one') ?? 0);
    client.close();
  });

  it('a name that does not resolve fails calls with UNAVAILABLE saying why, within the resolve timeout', async () => {
    const client = createClient(Who, {
      target: `dns://127.0.0.1:${dnsPort}/missing.weft.test:${port}`,
      resolveTimeoutMs: 300,
    });
    const err = await client.who({}, { timeoutMs: 5000 }).catch((e) => e);
    expect(err.code).toBe(14);
    expect(err.message).toMatch(/resolution failed|no addresses/);
    client.close();
  });
});
