/**
 * Channels against real servers: calls spread by the balancer, retries that go elsewhere (for
 * idempotent methods, and for calls a server never saw), the budget that stops them, stats, and
 * calls that wait for the first addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  channelOf,
  createClient,
  createServer,
  defineService,
  RpcError,
  type Server,
  Status,
  type TransportKind,
  unary,
} from '../src/index.js';
import { freePort } from './fixtures.js';

type Msg = { text?: string };

const Who = defineService('weft.test.v1.Who', {
  who: unary<Msg, Msg>({ idempotent: true }),
  whoOnce: unary<Msg, Msg>(),
  /** Idempotent: UNAVAILABLE from every server but the one named `healthy`. */
  flaky: unary<Msg, Msg>({ idempotent: true }),
  /** Not idempotent: UNAVAILABLE the same way. */
  flakyOnce: unary<Msg, Msg>(),
});

interface Started {
  name: string;
  server: Server;
  port: number;
  calls: number;
}

async function start(name: string, transport: TransportKind): Promise<Started> {
  const started: Started = { name, server: createServer(), port: 0, calls: 0 };
  const answer = async () => {
    started.calls++;
    return { text: name };
  };
  const flaky = async () => {
    started.calls++;
    if (name !== 'healthy') throw new RpcError(Status.UNAVAILABLE, `${name} is overloaded`);
    return { text: name };
  };
  started.server.add(Who, { who: answer, whoOnce: answer, flaky, flakyOnce: flaky });
  started.port = (await started.server.listen({ port: 0, host: '127.0.0.1', transport })).port;
  return started;
}

for (const transport of ['mux', 'pooled', 'ws'] as const) {
  describe(`channel over ${transport}`, () => {
    let servers: Started[] = [];
    let dead: number;
    beforeAll(async () => {
      servers = await Promise.all(['a', 'b', 'healthy'].map((n) => start(n, transport)));
      dead = await freePort();
    });
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.server.close({ graceMs: 100 })));
    });
    const target = (...ports: number[]) => `static:///${ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
    const reset = () => {
      for (const s of servers) s.calls = 0;
    };

    it('round-robin spreads calls evenly over the servers', async () => {
      reset();
      const client = createClient(Who, {
        target: target(...servers.map((s) => s.port)),
        transport,
        balancer: 'round-robin',
      });
      const names = await Promise.all(Array.from({ length: 30 }, () => client.who({}, { timeoutMs: 5000 })));
      const by = new Map<string, number>();
      for (const n of names) by.set(n.text!, (by.get(n.text!) ?? 0) + 1);
      expect([...by.values()]).toEqual([10, 10, 10]);
      const stats = channelOf(client).stats();
      expect(stats).toMatchObject({ callsStarted: 30, callsSucceeded: 30, callsFailed: 0, callsInFlight: 0 });
      expect(stats.endpoints.map((e) => e.state)).toEqual(['ready', 'ready', 'ready']);
      client.close();
    });

    it('p2c (the default) uses every server', async () => {
      reset();
      const client = createClient(Who, { target: target(...servers.map((s) => s.port)), transport });
      await Promise.all(Array.from({ length: 60 }, () => client.who({}, { timeoutMs: 5000 })));
      for (const s of servers) expect(s.calls).toBeGreaterThan(0);
      client.close();
    });

    it('consistent hashing sends a routing key to the same server every time', async () => {
      const client = createClient(Who, {
        target: target(...servers.map((s) => s.port)),
        transport,
        balancer: 'consistent-hash',
      });
      for (const key of ['alice', 'bob', 'carol']) {
        const seen = new Set<string>();
        for (let i = 0; i < 5; i++)
          seen.add((await client.who({}, { routingKey: key, timeoutMs: 5000 })).text!);
        expect(seen.size).toBe(1);
      }
      client.close();
    });

    it('a call that could not reach its server is retried elsewhere, idempotent or not', async () => {
      // round-robin starts with the dead endpoint: every first attempt fails to connect.
      const client = createClient(Who, {
        target: target(dead, servers[0]!.port),
        transport,
        balancer: 'round-robin',
      });
      expect((await client.whoOnce({}, { timeoutMs: 5000 })).text).toBe('a');
      const stats = channelOf(client).stats();
      expect(stats.retries).toBe(1);
      expect(stats.endpoints[0]).toMatchObject({ state: 'transient-failure' });
      // While it backs off, the dead endpoint is not picked again: no more retries.
      for (let i = 0; i < 5; i++) await client.whoOnce({}, { timeoutMs: 5000 });
      expect(channelOf(client).stats().retries).toBe(1);
      client.close();
    });

    it('UNAVAILABLE from a server is retried on another for an idempotent method only', async () => {
      reset();
      const all = target(servers[0]!.port, servers[1]!.port, servers[2]!.port);
      const client = createClient(Who, {
        target: all,
        transport,
        balancer: 'round-robin',
        retry: { maxAttempts: 3 },
      });
      // The first attempt goes to a and fails; retries skip the servers already tried.
      expect((await client.flaky({}, { timeoutMs: 5000 })).text).toBe('healthy');
      expect(channelOf(client).stats().retries).toBeGreaterThanOrEqual(1);
      expect(servers[0]!.calls).toBe(1);
      client.close();
      // Not idempotent: the first UNAVAILABLE is the answer, though b would have been tried next.
      const once = createClient(Who, {
        target: target(servers[0]!.port, servers[1]!.port),
        transport,
        balancer: 'round-robin',
      });
      reset();
      const err = await once.flakyOnce({}, { timeoutMs: 5000 }).catch((e) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect(err.code).toBe(Status.UNAVAILABLE);
      expect(channelOf(once).stats().retries).toBe(0);
      expect(servers[1]!.calls).toBe(0);
      once.close();
    });

    it('the retry budget stops retries when most calls fail', async () => {
      const client = createClient(Who, {
        target: target(servers[0]!.port, servers[1]!.port),
        transport,
        retry: { maxAttempts: 2, budget: { ratio: 0.1, minPerSecond: 0 } },
      });
      const results = await Promise.all(
        Array.from({ length: 50 }, () => client.flaky({}, { timeoutMs: 5000 }).catch((e) => e)),
      );
      expect(results.every((r) => r instanceof RpcError && r.code === Status.UNAVAILABLE)).toBe(true);
      const stats = channelOf(client).stats();
      // 50 calls × 10% = 5 retries allowed; the other 45 were refused.
      expect(stats.retries).toBe(5);
      expect(stats.retriesDenied).toBe(45);
      expect(stats.callsFailed).toBe(50);
      client.close();
    });

    it('with every endpoint unreachable a call fails fast with UNAVAILABLE, and never hangs', async () => {
      const client = createClient(Who, { target: target(dead), transport });
      const t0 = Date.now();
      const first = await client.who({}, { timeoutMs: 5000 }).catch((e) => e);
      expect(first.code).toBe(Status.UNAVAILABLE);
      // Now backing off: the next call fails at once, saying why.
      const second = await client.who({}, { timeoutMs: 5000 }).catch((e) => e);
      expect(second.code).toBe(Status.UNAVAILABLE);
      expect(second.message).toMatch(/no endpoint is available/);
      expect(Date.now() - t0).toBeLessThan(2000);
      // waitForReady waits instead — until its deadline.
      const waited = await client.who({}, { timeoutMs: 300, waitForReady: true }).catch((e) => e);
      expect(waited.code).toBe(Status.DEADLINE_EXCEEDED);
      expect(channelOf(client).stats().callsInFlight).toBe(0);
      client.close();
    });
  });
}

describe('hedged requests', () => {
  const Slow = defineService('weft.test.v1.Slow', {
    who: unary<Msg, Msg>({ idempotent: true }),
    whoOnce: unary<Msg, Msg>(),
  });
  const servers: Server[] = [];
  const cancelled: string[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close({ graceMs: 50 })));
  });
  const start = async (name: string, delayMs: number) => {
    const server = createServer();
    const answer = async (_req: Msg, ctx: { signal: AbortSignal }) => {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delayMs);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          cancelled.push(name);
          resolve();
        });
      });
      return { text: name };
    };
    server.add(Slow, { who: answer, whoOnce: answer });
    servers.push(server);
    return (await server.listen({ port: 0, host: '127.0.0.1' })).port;
  };

  it('an idempotent call unanswered after the delay is sent again elsewhere; the first answer wins, the other is cancelled', async () => {
    const slow = await start('slow', 400);
    const fast = await start('fast', 0);
    const client = createClient(Slow, {
      target: `static:///127.0.0.1:${slow},127.0.0.1:${fast}`,
      balancer: 'round-robin',
      hedge: { delayMs: 50 },
    });
    const t0 = Date.now();
    expect((await client.who({}, { timeoutMs: 5000 })).text).toBe('fast');
    expect(Date.now() - t0).toBeLessThan(300);
    expect(channelOf(client).stats().hedges).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(cancelled).toContain('slow');
    // Not idempotent: never hedged (round-robin is back at the slow server).
    const t1 = Date.now();
    expect((await client.whoOnce({}, { timeoutMs: 5000 })).text).toBe('slow');
    expect(Date.now() - t1).toBeGreaterThanOrEqual(380);
    expect(channelOf(client).stats().hedges).toBe(1);
    client.close();
  });
});

describe('outlier ejection', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close({ graceMs: 50 })));
  });
  const start = async (name: string, down: { value: boolean }) => {
    const server = createServer();
    const answer = async () => {
      if (down.value) throw new RpcError(Status.UNAVAILABLE, `${name} is down`);
      return { text: name };
    };
    server.add(Who, { who: answer, whoOnce: answer, flaky: answer, flakyOnce: answer });
    servers.push(server);
    return (await server.listen({ port: 0, host: '127.0.0.1' })).port;
  };
  const fail = (p: Promise<unknown>) => p.catch(() => {});

  it('never ejects the only endpoint: it is called again as soon as it recovers', async () => {
    const down = { value: true };
    const port = await start('only', down);
    const client = createClient(Who, { target: `static:///127.0.0.1:${port}`, retry: { maxAttempts: 1 } });
    for (let i = 0; i < 10; i++) await fail(client.whoOnce({}, { timeoutMs: 2000 }));
    expect(channelOf(client).stats().endpoints[0]!.ejected).toBe(false);
    down.value = false;
    expect((await client.whoOnce({}, { timeoutMs: 2000 })).text).toBe('only');
    client.close();
  });

  it('ejects at most maxEjectionPercent of the endpoints, and never the last one in', async () => {
    const down = { value: true };
    const ports = await Promise.all(['a', 'b', 'c', 'd'].map((n) => start(n, down)));
    const client = createClient(Who, {
      target: `static:///${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
      balancer: 'round-robin',
      retry: { maxAttempts: 1 },
      ejection: { consecutiveFailures: 2, maxEjectionPercent: 50 },
    });
    for (let i = 0; i < 40; i++) await fail(client.whoOnce({}, { timeoutMs: 2000 }));
    // 50% of four: two out, after which no more (the others still fail, and still take calls).
    expect(
      channelOf(client)
        .stats()
        .endpoints.filter((e) => e.ejected),
    ).toHaveLength(2);
    client.close();
  });
});
