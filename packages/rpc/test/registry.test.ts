/**
 * The registry: leases (TTL, keepalive, limits), watch, servers registering themselves, clients on
 * `registry://` following them live — including a server killed with SIGKILL (its lease expires
 * and no idempotent call fails) and one closed gracefully (no call fails) — and `npx weft-registry`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Balancer,
  channelOf,
  createClient,
  createServer,
  defineService,
  Registry,
  RegistryService,
  RpcError,
  type RunningRegistry,
  type Server,
  Status,
  startRegistry,
  unary,
} from '../src/index.js';
import { callFor, serverProcess } from './discovery-fixtures.js';
import { eventually, sleep } from './fixtures.js';

const Who = defineService('weft.test.v1.RegWho', {
  who: unary<object, { text: string }>({ idempotent: true }),
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function registry(): Promise<RunningRegistry> {
  const r = await startRegistry();
  cleanups.push(() => r.close());
  return r;
}

async function whoServer(name: string, target: string, ttlSeconds = 1): Promise<Server> {
  const server = createServer();
  server.add(Who, { who: async () => ({ text: name }) });
  await server.listen({ register: { target, ttlSeconds } });
  cleanups.push(() => server.close({ graceMs: 50 }));
  return server;
}

describe('Registry state', () => {
  it('registers, lists, renews and removes leases; expired leases disappear and watchers hear it', async () => {
    const reg = new Registry();
    const seen: number[] = [];
    const stop = reg.watch('a.B', (s) => seen.push(s.addresses.length));
    const one = reg.register({ service: 'a.B', host: '127.0.0.1', port: 1000, ttlSeconds: 1 });
    reg.register({ service: 'a.B', host: '127.0.0.1', port: 1001, ttlSeconds: 1, weight: 5 });
    expect(reg.list('a.B').addresses).toEqual([
      { host: '127.0.0.1', port: 1000 },
      { host: '127.0.0.1', port: 1001, weight: 5 },
    ]);
    await sleep(600);
    reg.keepAlive(one.leaseId);
    await sleep(600);
    // The second lease expired; the first was renewed.
    expect(reg.list('a.B').addresses).toEqual([{ host: '127.0.0.1', port: 1000 }]);
    reg.deregister(one.leaseId);
    expect(reg.list('a.B').addresses).toEqual([]);
    expect(() => reg.keepAlive(one.leaseId)).toThrow(expect.objectContaining({ code: Status.NOT_FOUND }));
    expect(seen).toEqual([1, 2, 1, 0]);
    stop();
    reg.clear();
  });

  it('bounds everything a caller controls', () => {
    const reg = new Registry({ maxLeases: 2, maxTtlSeconds: 60, maxWatchers: 1 });
    const ok = { service: 's', host: 'h', port: 1, ttlSeconds: 10 };
    for (const bad of [
      { ...ok, service: '' },
      { ...ok, service: 'x'.repeat(300) },
      { ...ok, service: 'a b' },
      { ...ok, host: 'h h' },
      { ...ok, port: 0 },
      { ...ok, port: 70000 },
      { ...ok, ttlSeconds: 0 },
      { ...ok, ttlSeconds: 61 },
      { ...ok, weight: 0 },
      { ...ok, weight: 1.5 },
      { ...ok, attributes: { 'bad key': 'x' } },
      { ...ok, attributes: { k: 'x'.repeat(300) } },
      { ...ok, attributes: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
    ]) {
      expect(() => reg.register(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: Status.INVALID_ARGUMENT }),
      );
    }
    reg.register(ok);
    reg.register(ok);
    expect(() => reg.register(ok)).toThrow(expect.objectContaining({ code: Status.RESOURCE_EXHAUSTED }));
    reg.watch('s', () => {});
    expect(() => reg.watch('s', () => {})).toThrow(
      expect.objectContaining({ code: Status.RESOURCE_EXHAUSTED }),
    );
    reg.clear();
  });
});

describe('registry:// targets', () => {
  it('servers register themselves; a client follows them as they come and go', async () => {
    const r = await registry();
    const a = await whoServer('a', r.target);
    const client = createClient(Who, { target: r.target, balancer: 'round-robin' });
    cleanups.push(() => client.close());
    expect((await client.who({}, { timeoutMs: 5000 })).text).toBe('a');
    await whoServer('b', r.target);
    await eventually(() => channelOf(client).stats().endpoints.length === 2, 3000);
    const names = new Set<string>();
    for (let i = 0; i < 10; i++) names.add((await client.who({}, { timeoutMs: 5000 })).text);
    expect([...names].sort()).toEqual(['a', 'b']);
    // Graceful close deregisters at once (no waiting for the TTL).
    await a.close({ graceMs: 50 });
    await eventually(() => channelOf(client).stats().endpoints.length === 1, 1000);
    expect((await client.who({}, { timeoutMs: 5000 })).text).toBe('b');
  });

  it('attributes from discovery reach the balancer: a user-written balancer routes by zone', async () => {
    const r = await registry();
    for (const zone of ['east', 'west']) {
      const server = createServer();
      server.add(Who, { who: async () => ({ text: zone }) });
      await server.listen({ register: { target: r.target, ttlSeconds: 5, attributes: { zone } } });
      cleanups.push(() => server.close({ graceMs: 50 }));
    }
    const west: Balancer = {
      name: 'zone-west',
      pick: (endpoints) => endpoints.find((e) => e.available && e.address.attributes?.zone === 'west'),
    };
    const client = createClient(Who, { target: r.target, balancer: west });
    cleanups.push(() => client.close());
    await eventually(() => channelOf(client).stats().endpoints.length === 2, 3000);
    for (let i = 0; i < 5; i++) expect((await client.who({}, { timeoutMs: 5000 })).text).toBe('west');
  });

  it('a server closed gracefully under load fails no call', async () => {
    const r = await registry();
    const a = await whoServer('a', r.target);
    await whoServer('b', r.target);
    const client = createClient(Who, { target: r.target });
    cleanups.push(() => client.close());
    await eventually(() => channelOf(client).stats().endpoints.length === 2, 3000);
    let failures = 0;
    let calls = 0;
    let stop = false;
    const loops = Array.from({ length: 8 }, async () => {
      while (!stop) {
        calls++;
        await client.who({}, { timeoutMs: 2000 }).catch(() => failures++);
      }
    });
    await sleep(200);
    await a.close({ graceMs: 500 });
    await sleep(300);
    stop = true;
    await Promise.all(loops);
    expect(calls).toBeGreaterThan(100);
    expect(failures).toBe(0);
  });

  it('a server killed with SIGKILL leaves within its TTL, and no idempotent call fails meanwhile', async () => {
    const r = await registry();
    await whoServer('local', r.target);
    // The other server in its own process, so that it can be killed without a goodbye.
    const child = await serverProcess('weft.test.v1.RegWho', 'child', r.target, 1);
    cleanups.push(() => child.kill('SIGKILL'));
    const client = createClient(Who, { target: r.target, balancer: 'round-robin' });
    cleanups.push(() => client.close());
    await eventually(() => channelOf(client).stats().endpoints.length === 2, 3000);
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) names.add((await client.who({}, { timeoutMs: 2000 })).text);
    expect([...names].sort()).toEqual(['child', 'local']);
    child.kill('SIGKILL');
    const { calls, failures } = await callFor(2000, () => client.who({}, { timeoutMs: 1000 }));
    expect(calls).toBeGreaterThan(50);
    expect(failures).toBe(0);
    // TTL 1 s: the dead endpoint is gone from the list.
    expect(
      channelOf(client)
        .stats()
        .endpoints.map((e) => e.address),
    ).toHaveLength(1);
  });

  it('a registry restart empties no client list, and servers register again at once', async () => {
    const first = await startRegistry();
    let r: RunningRegistry = first;
    cleanups.push(() => r.close());
    // A long lease: without the watch, the server would notice the lost lease only at its next
    // keepalive, 10 s away.
    await whoServer('a', first.target, 30);
    const client = createClient(Who, { target: first.target });
    cleanups.push(() => client.close());
    expect((await client.who({}, { timeoutMs: 5000 })).text).toBe('a');
    const calls = callFor(3000, () => client.who({}, { timeoutMs: 1000 }));
    await sleep(300);
    await first.close();
    await sleep(200);
    r = await startRegistry({ port: first.port });
    const back = Date.now();
    await eventually(() => r.registry.list(Who.name).addresses.length === 1, 3000);
    expect(Date.now() - back).toBeLessThan(3000);
    const { calls: made, failures } = await calls;
    expect(made).toBeGreaterThan(50);
    expect(failures).toBe(0);
  });

  it('a client keeps its last list while a restarted registry is still empty', async () => {
    const first = await startRegistry();
    let r: RunningRegistry = first;
    cleanups.push(() => r.close());
    const server = createServer();
    server.add(Who, { who: async () => ({ text: 'a' }) });
    const { port } = await server.listen();
    cleanups.push(() => server.close({ graceMs: 50 }));
    // Registered by hand, so that it comes back only when the test says.
    const register = async (at: RunningRegistry) => {
      const admin = createClient(RegistryService, { target: `static:///127.0.0.1:${at.port}` });
      await admin.register({ service: Who.name, host: '127.0.0.1', port, ttlSeconds: 30 });
      admin.close();
    };
    await register(first);
    const client = createClient(Who, { target: first.target });
    cleanups.push(() => client.close());
    expect((await client.who({}, { timeoutMs: 5000 })).text).toBe('a');
    const calls = callFor(2500, () => client.who({}, { timeoutMs: 1000 }));
    await first.close();
    r = await startRegistry({ port: first.port });
    // The client's watch comes back to an empty registry; the server registers 1.5 s later.
    await sleep(1500);
    await register(r);
    const { calls: made, failures } = await calls;
    expect(made).toBeGreaterThan(50);
    expect(failures).toBe(0);
  });

  it('the registry service refuses malformed requests with INVALID_ARGUMENT', async () => {
    const r = await registry();
    const raw = createClient(RegistryService, { target: `static:///127.0.0.1:${r.port}` });
    cleanups.push(() => raw.close());
    const err = await raw
      .register({ service: 'bad name', host: 'h', port: 1, ttlSeconds: 5 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(Status.INVALID_ARGUMENT);
  });
});

describe('weft-registry CLI', () => {
  it('npx weft-registry serves registrations', async () => {
    // In a process group of its own: npx runs the registry as a child of its own, which a signal
    // to npx alone leaves running.
    const child = spawn('npx', ['--no-install', 'weft-registry', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    cleanups.push(async () => {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return; // already gone
      }
      await exited;
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) =>
        reject(new Error(`weft-registry exited (${code}): ${stderr.slice(-500)}`)),
      );
    });
    const m = /listening on registry:\/\/127\.0\.0\.1:(\d+)/.exec(line);
    expect(m, line).not.toBeNull();
    const target = `registry://127.0.0.1:${m![1]}`;
    await whoServer('cli', target, 5);
    const client = createClient(Who, { target });
    cleanups.push(() => client.close());
    expect((await client.who({}, { timeoutMs: 5000 })).text).toBe('cli');
  });
});
