/**
 * The channel's parts on their own: balancers, endpoint health (backoff, ejection), the retry
 * budget, backoff, target parsing — and a model-based test (fast-check commands) of endpoints and
 * balancers under any order of calls, failures, additions and removals.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { ClientTransport } from '../src/call.js';
import { Backoff } from '../src/channel/backoff.js';
import { type Balancer, balancerFor } from '../src/channel/balancer.js';
import { consistentHash } from '../src/channel/balancers/consistent-hash.js';
import { powerOfTwoChoices } from '../src/channel/balancers/p2c.js';
import { Endpoint } from '../src/channel/endpoint.js';
import { RetryBudget } from '../src/channel/retry-budget.js';
import { resolverFor } from '../src/discovery.js';
import { RpcUsageError } from '../src/errors.js';

const fakeTransport = (): ClientTransport => ({
  start: () => {
    throw new Error('not used');
  },
  close: () => {},
});

function endpoints(n: number, weights?: number[]): Endpoint[] {
  return Array.from(
    { length: n },
    (_, i) =>
      new Endpoint(
        { host: '10.0.0.1', port: 1000 + i, ...(weights === undefined ? {} : { weight: weights[i]! }) },
        fakeTransport,
        {},
        {},
      ),
  );
}

const info = (routingKey?: string) => ({ path: '/a/b', routingKey });

function counts(
  balancer: Balancer,
  list: Endpoint[],
  calls: number,
  key?: (i: number) => string,
): Map<string, number> {
  const seen = new Map<string, number>();
  for (let i = 0; i < calls; i++) {
    const e = balancer.pick(list, info(key?.(i)))!;
    seen.set(e.key, (seen.get(e.key) ?? 0) + 1);
  }
  return seen;
}

describe('balancers', () => {
  it('round-robin takes each available endpoint in turn', () => {
    const list = endpoints(3);
    expect([...counts(balancerFor('round-robin'), list, 300).values()]).toEqual([100, 100, 100]);
  });

  it('pick-first sticks to the first available endpoint and moves on when it is not', () => {
    const list = endpoints(3);
    const b = balancerFor('pick-first');
    expect(b.pick(list, info())!.key).toBe(list[0]!.key);
    for (let i = 0; i < 5; i++) {
      list[0]!.started();
      list[0]!.ended(1, 'unreachable');
    }
    expect(list[0]!.available).toBe(false);
    expect(b.pick(list, info())!.key).toBe(list[1]!.key);
  });

  it('p2c sends calls away from a loaded or slow endpoint', () => {
    const list = endpoints(3);
    for (const e of list) {
      e.started();
      e.ended(1, 'ok');
    }
    // The third is slow (EWMA) and busy.
    for (let i = 0; i < 20; i++) {
      list[2]!.started();
      list[2]!.ended(50, 'ok');
    }
    list[2]!.started();
    list[2]!.started();
    const seen = counts(powerOfTwoChoices(), list, 3000);
    // It gets only the calls whose two draws both land on it: about 1/9, not a third.
    expect(seen.get(list[2]!.key) ?? 0).toBeLessThan(450);
    expect(seen.get(list[0]!.key)).toBeGreaterThan(1100);
    expect(seen.get(list[1]!.key)).toBeGreaterThan(1100);
  });

  it('p2c gives a weight-2 endpoint about twice the calls of a weight-1 one when all else is equal', () => {
    const list = endpoints(2, [1, 2]);
    const seen = counts(powerOfTwoChoices(), list, 6000);
    const ratio = seen.get(list[1]!.key)! / seen.get(list[0]!.key)!;
    expect(ratio).toBeGreaterThan(1.7);
    expect(ratio).toBeLessThan(2.4);
  });

  it('consistent hashing: a key keeps its endpoint; removing one endpoint moves only its keys', () => {
    const list = endpoints(5);
    const b = consistentHash();
    const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const before = new Map(keys.map((k) => [k, b.pick(list, info(k))!.key]));
    for (const k of keys.slice(0, 50)) expect(b.pick(list, info(k))!.key).toBe(before.get(k));
    // Spread: every endpoint holds a fair share (expected 400 each).
    const shares = new Map<string, number>();
    for (const v of before.values()) shares.set(v, (shares.get(v) ?? 0) + 1);
    for (const n of shares.values()) expect(n).toBeGreaterThan(200);
    const removed = list[2]!.key;
    const after = list.filter((e) => e.key !== removed);
    let moved = 0;
    for (const k of keys) {
      const now = b.pick(after, info(k))!.key;
      if (before.get(k) === removed) expect(now).not.toBe(removed);
      else if (now !== before.get(k)) moved++;
    }
    expect(moved).toBe(0);
  });

  it('consistent hashing walks past an unavailable endpoint and comes back to it', () => {
    const list = endpoints(3);
    const b = consistentHash();
    const home = b.pick(list, info('k1'))!;
    const e = home as Endpoint;
    for (let i = 0; i < 5; i++) {
      e.started();
      e.ended(1, 'failed');
    }
    expect(e.available).toBe(false);
    expect(b.pick(list, info('k1'))!.key).not.toBe(home.key);
  });

  it('unknown balancer names are usage errors', () => {
    expect(() => balancerFor('random' as never)).toThrow(RpcUsageError);
  });
});

describe('endpoint health', () => {
  it('an unreachable endpoint backs off (gRPC: 1 s ±20%), a success resets it', () => {
    const [e] = endpoints(1);
    e!.started();
    e!.ended(1, 'unreachable');
    expect(e!.state).toBe('transient-failure');
    expect(e!.available).toBe(false);
    e!.started();
    e!.ended(1, 'ok');
    expect(e!.state).toBe('ready');
  });

  it('consecutive failures eject an endpoint for a growing time', async () => {
    const e = new Endpoint({ host: 'h', port: 1 }, fakeTransport, {}, { consecutiveFailures: 3, baseMs: 40 });
    const fail = () => {
      e.started();
      e.ended(1, 'failed');
    };
    fail();
    fail();
    expect(e.available).toBe(true);
    fail();
    expect(e.ejected).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(e.ejected).toBe(false);
    fail();
    fail();
    fail();
    expect(e.ejected).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    // Second ejection: 80 ms.
    expect(e.ejected).toBe(true);
    await new Promise((r) => setTimeout(r, 40));
    expect(e.ejected).toBe(false);
  });
});

describe('retry budget', () => {
  it('allows retries of about 20% of calls, plus the floor', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0 });
    const now = 1_000_000;
    for (let i = 0; i < 100; i++) budget.deposit(now);
    let allowed = 0;
    while (budget.tryWithdraw(now)) allowed++;
    expect(allowed).toBe(20);
  });

  it('a quiet client may still retry minPerSecond × TTL times; deposits expire after the TTL', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 1, ttlMs: 5000 });
    let allowed = 0;
    while (budget.tryWithdraw(0)) allowed++;
    expect(allowed).toBe(5);
    for (let i = 0; i < 100; i++) budget.deposit(10_000);
    // The floor's withdrawals at 0 s are forgotten too: 20 + 5.
    allowed = 0;
    while (budget.tryWithdraw(10_000)) allowed++;
    expect(allowed).toBe(25);
    expect(budget.tryWithdraw(20_000)).toBe(true);
  });
});

describe('backoff', () => {
  test.prop([
    fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 20 }),
  ])('each delay is min(1 s × 1.6^n, 120 s) within ±20%', (randoms) => {
    const b = new Backoff();
    randoms.forEach((r, n) => {
      const base = Math.min(1000 * 1.6 ** n, 120_000);
      const d = b.next(() => r);
      expect(d).toBeGreaterThanOrEqual(base * 0.8 - 1e-6);
      expect(d).toBeLessThanOrEqual(base * 1.2 + 1e-6);
    });
  });
});

describe('targets', () => {
  it('parse static, dns and dns+srv forms, and refuse the rest with RPC_ERR_INVALID_TARGET', () => {
    for (const t of [
      'static:///a:1,b:2',
      'a:1',
      'dns:///svc.local:50051',
      'dns://127.0.0.1:5353/svc.local:50051',
      'dns+srv:///_rpc._tcp.svc.local',
      'dns+srv://127.0.0.1:5353/_rpc._tcp.svc.local',
    ]) {
      resolverFor(t).close();
    }
    for (const t of [
      'etcd2://x/y',
      'dns:///nohost',
      'dns://bad/svc:1',
      'dns+srv:///bad name',
      'static:///a:99999',
    ]) {
      expect(() => resolverFor(t), t).toThrow(expect.objectContaining({ code: 'RPC_ERR_INVALID_TARGET' }));
    }
  });
});

describe('endpoints and balancers, model-based', () => {
  type Model = { keys: string[] };
  type Real = { list: Endpoint[]; balancer: Balancer; next: number; held: Endpoint[] };
  const commands = [
    fc.constant<fc.Command<Model, Real>>({
      check: () => true,
      run(m, r) {
        const e = new Endpoint(
          { host: '10.1.0.1', port: 2000 + r.next++ },
          fakeTransport,
          { initialMs: 50 },
          { consecutiveFailures: 3, baseMs: 50 },
        );
        r.list = [...r.list, e];
        m.keys.push(e.key);
      },
      toString: () => 'add',
    }),
    fc.nat().map<fc.Command<Model, Real>>((i) => ({
      check: (m) => m.keys.length > 0,
      run(m, r) {
        const key = m.keys[i % m.keys.length]!;
        m.keys.splice(m.keys.indexOf(key), 1);
        r.list = r.list.filter((e) => e.key !== key);
      },
      toString: () => `remove ${i}`,
    })),
    fc.option(fc.string({ maxLength: 4 }), { nil: undefined }).map<fc.Command<Model, Real>>((key) => ({
      check: () => true,
      run(m, r) {
        const picked = r.balancer.pick(r.list, info(key)) as Endpoint | undefined;
        if (picked === undefined) {
          // Only when nothing is available.
          expect(r.list.every((e) => !e.available)).toBe(true);
          return;
        }
        expect(m.keys).toContain(picked.key);
        expect(picked.available).toBe(true);
        if (key !== undefined && r.balancer.name === 'consistent-hash') {
          expect(r.balancer.pick(r.list, info(key))!.key).toBe(picked.key);
        }
        picked.started();
        r.held.push(picked);
      },
      toString: () => `call ${String(key)}`,
    })),
    fc
      .tuple(
        fc.nat(),
        fc.constantFrom('ok', 'failed', 'unreachable', 'cancelled') as fc.Arbitrary<
          'ok' | 'failed' | 'unreachable' | 'cancelled'
        >,
      )
      .map<fc.Command<Model, Real>>(([i, outcome]) => ({
        check: () => true,
        run(_m, r) {
          if (r.held.length === 0) return;
          const [e] = r.held.splice(i % r.held.length, 1);
          e!.ended(1 + (i % 7), outcome);
          expect(e!.inFlight).toBeGreaterThanOrEqual(0);
        },
        toString: () => `end ${i} ${outcome}`,
      })),
  ];

  test.prop([
    fc.constantFrom('p2c', 'round-robin', 'pick-first', 'consistent-hash'),
    fc.commands(commands, { maxCommands: 60 }),
  ])('picks only available endpoints of the current list; in-flight counts stay consistent', (name, cmds) => {
    const real: Real = { list: [], balancer: balancerFor(name as never), next: 0, held: [] };
    fc.modelRun(() => ({ model: { keys: [] }, real }), cmds);
    for (const e of new Set(real.held)) {
      expect(e.inFlight).toBe(real.held.filter((h) => h === e).length);
    }
  });
});
