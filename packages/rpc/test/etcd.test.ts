/**
 * etcd:// discovery against a real etcd (Debian etcd-server, installed by .ci/run) on loopback
 * ports of its own: servers register with leases, clients watch; a server killed with SIGKILL
 * leaves within its TTL; etcd restarted mid-run brings the registrations back while calls go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdGateway } from '../src/etcd/gateway.js';
import { channelOf, createClient, createServer, defineService, type Server, unary } from '../src/index.js';
import { callFor, EtcdProcess, etcdBin, serverProcess } from './discovery-fixtures.js';
import { eventually, sleep } from './fixtures.js';

const SERVICE = 'weft.test.v1.EtcdWho';
const Who = defineService(SERVICE, { who: unary<object, { text: string }>({ idempotent: true }) });

describe.skipIf(etcdBin === undefined)('etcd:// against a real etcd', () => {
  const etcd = new EtcdProcess();
  let target: string;
  let clientPort: number;
  const servers: Server[] = [];

  const serve = async (name: string) => {
    const server = createServer();
    server.add(Who, { who: async () => ({ text: name }) });
    await server.listen({ register: { target, ttlSeconds: 2 } });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    await etcd.start();
    clientPort = etcd.clientPort;
    target = etcd.target('weft-test');
  }, 30_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close({ graceMs: 50 })));
    await etcd.dispose();
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
    const child = await serverProcess(SERVICE, 'child', target, 2);
    const client = createClient(Who, { target, balancer: 'round-robin' });
    await eventually(() => channelOf(client).stats().endpoints.length === 2, 5000);
    child.kill('SIGKILL');
    const { calls, failures } = await callFor(3500, () => client.who({}, { timeoutMs: 1000 }));
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
    await etcd.kill();
    await sleep(500);
    await etcd.start();
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
