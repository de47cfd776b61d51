/**
 * etcd:// discovery against a real etcd (Debian etcd-server, installed by .ci/run) on loopback
 * ports of its own: servers register with leases, clients watch; a server killed with SIGKILL
 * leaves within its TTL; etcd restarted mid-run brings the registrations back while calls go on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdGateway } from '../src/etcd/gateway.js';
import { channelOf, createClient, createServer, defineService, type Server, unary } from '../src/index.js';
import { eventually, sleep } from './fixtures.js';

const Who = defineService('weft.test.v1.EtcdWho', {
  who: unary<object, { text: string }>({ idempotent: true }),
});

const etcdBin = ['/usr/bin/etcd', '/usr/local/bin/etcd'].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(etcdBin === undefined)('etcd:// against a real etcd', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-etcd-'));
  let clientPort: number;
  let peerPort: number;
  let etcd: ChildProcess | undefined;
  let target: string;
  const servers: Server[] = [];

  const startEtcd = async () => {
    etcd = spawn(
      etcdBin!,
      [
        '--name=weft',
        `--data-dir=${dataDir}`,
        `--listen-client-urls=http://127.0.0.1:${clientPort}`,
        `--advertise-client-urls=http://127.0.0.1:${clientPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=weft=http://127.0.0.1:${peerPort}`,
      ],
      { stdio: 'ignore' },
    );
    const gateway = new EtcdGateway(`127.0.0.1:${clientPort}`, 500);
    await eventually(
      () =>
        gateway.range('probe/').then(
          () => true,
          () => false,
        ),
      15_000,
    );
  };

  const serve = async (name: string) => {
    const server = createServer();
    server.add(Who, { who: async () => ({ text: name }) });
    await server.listen({ register: { target, ttlSeconds: 2 } });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    clientPort = await freePort();
    peerPort = await freePort();
    target = `etcd://127.0.0.1:${clientPort}/weft-test`;
    await startEtcd();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close({ graceMs: 50 })));
    etcd?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('servers register under leases (64-bit ids kept as strings); clients follow them; a graceful close removes its keys at once', async () => {
    const a = await serve('a');
    await serve('b');
    const client = createClient(Who, { target, balancer: 'round-robin' });
    await eventually(() => channelOf(client).stats().endpoints.length === 2, 5000);
    const names = new Set<string>();
    for (let i = 0; i < 10; i++) names.add((await client.who({}, { timeoutMs: 5000 })).text);
    expect([...names].sort()).toEqual(['a', 'b']);
    // The lease ids etcd hands out do not fit a double: they must have stayed strings.
    const gateway = new EtcdGateway(`127.0.0.1:${clientPort}`);
    const lease = await gateway.grant(5);
    expect(lease).toMatch(/^\d+$/);
    expect(BigInt(lease) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(await gateway.keepAlive(lease)).toBe(5);
    await gateway.revoke(lease);
    await a.close({ graceMs: 50 });
    servers.splice(servers.indexOf(a), 1);
    await eventually(() => channelOf(client).stats().endpoints.length === 1, 2000);
    expect((await client.who({}, { timeoutMs: 5000 })).text).toBe('b');
    client.close();
  });

  it('a server killed with SIGKILL leaves within its TTL; no idempotent call fails meanwhile', async () => {
    const script = `
      import { createServer, defineService, unary } from ${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'index.js'))};
      const Who = defineService('weft.test.v1.EtcdWho', { who: unary({ idempotent: true }) });
      const server = createServer();
      server.add(Who, { who: async () => ({ text: 'child' }) });
      await server.listen({ register: { target: ${JSON.stringify(target)}, ttlSeconds: 1 } });
      console.log('ready');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    const client = createClient(Who, { target, balancer: 'round-robin' });
    await eventually(() => channelOf(client).stats().endpoints.length === 2, 5000);
    child.kill('SIGKILL');
    const t0 = Date.now();
    let calls = 0;
    let failures = 0;
    while (Date.now() - t0 < 2500) {
      calls++;
      await client.who({}, { timeoutMs: 1000 }).catch(() => failures++);
      await sleep(5);
    }
    expect(calls).toBeGreaterThan(50);
    expect(failures).toBe(0);
    expect(channelOf(client).stats().endpoints).toHaveLength(1);
    client.close();
  });

  it('etcd restarted mid-run: calls go on, and registrations come back', async () => {
    const client = createClient(Who, { target });
    await eventually(() => channelOf(client).stats().endpoints.length === 1, 5000);
    let stop = false;
    let calls = 0;
    let failures = 0;
    const load = (async () => {
      while (!stop) {
        calls++;
        await client.who({}, { timeoutMs: 1000 }).catch(() => failures++);
        await sleep(5);
      }
    })();
    etcd!.kill('SIGKILL');
    await new Promise((r) => etcd!.once('exit', r));
    await sleep(500);
    await startEtcd();
    // The registration is back (the same lease, or a new one if it expired meanwhile).
    const gateway = new EtcdGateway(`127.0.0.1:${clientPort}`);
    await eventually(
      async () => (await gateway.range('weft-test/weft.test.v1.EtcdWho/')).kvs.length === 1,
      10_000,
    );
    // A server registering after the restart is seen by the client's re-opened watch.
    await serve('late');
    await eventually(() => channelOf(client).stats().endpoints.length === 2, 10_000);
    stop = true;
    await load;
    expect(calls).toBeGreaterThan(50);
    expect(failures).toBe(0);
    client.close();
  }, 40_000);
});
