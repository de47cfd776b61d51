/**
 * Issue 7's fault runs: three servers behind a registry target and behind an etcd target, 200
 * calls/s for 10 s, one server killed with SIGKILL mid-run and started again later. No call hangs
 * past its deadline, at least 99.9% of the (idempotent) calls succeed, the dead endpoint leaves the
 * balancer within its TTL, and the restarted server rejoins and receives calls.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  channelOf,
  createClient,
  defineService,
  type RunningRegistry,
  startRegistry,
  unary,
} from '../src/index.js';
import { EtcdProcess, etcdBin, serverProcess } from './discovery-fixtures.js';
import { sleep } from './fixtures.js';

const SERVICE = 'weft.test.v1.Fault';
const Fault = defineService(SERVICE, { who: unary<object, { text: string }>({ idempotent: true }) });

const RATE = 200;
const SECONDS = 10;
const DEADLINE_MS = 1000;

async function faultRun(target: string, ttlSeconds: number): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    for (const name of ['s1', 's2', 's3'])
      children.push(await serverProcess(SERVICE, name, target, ttlSeconds));
    const client = createClient(Fault, { target });
    const t0 = Date.now();
    while (channelOf(client).stats().endpoints.length < 3) {
      if (Date.now() - t0 > 5000) throw new Error('the client never saw three servers');
      await sleep(20);
    }
    let ok = 0;
    let failed = 0;
    let late = 0;
    let pending = 0;
    const byServer = new Map<string, number>();
    const call = async () => {
      pending++;
      const started = Date.now();
      try {
        const { text } = await client.who({}, { timeoutMs: DEADLINE_MS });
        byServer.set(text, (byServer.get(text) ?? 0) + 1);
        ok++;
      } catch {
        failed++;
      } finally {
        // Settled by its deadline (plus timer slack), never later.
        if (Date.now() - started > DEADLINE_MS + 250) late++;
        pending--;
      }
    };
    const start = Date.now();
    const calls: Promise<void>[] = [];
    let killedAt = 0;
    let leftAfterMs = -1;
    let restarted = false;
    // 10 calls every 50 ms = 200 calls/s.
    while (Date.now() - start < SECONDS * 1000) {
      for (let i = 0; i < RATE / 20; i++) calls.push(call());
      const t = Date.now() - start;
      if (killedAt === 0 && t >= 3000) {
        children[1]!.kill('SIGKILL');
        killedAt = Date.now();
      }
      if (killedAt > 0 && leftAfterMs < 0 && channelOf(client).stats().endpoints.length === 2) {
        leftAfterMs = Date.now() - killedAt;
      }
      if (!restarted && t >= 6500) {
        restarted = true;
        void serverProcess(SERVICE, 's2-again', target, ttlSeconds).then((c) => children.push(c));
      }
      await sleep(50);
    }
    await Promise.all(calls);
    const total = ok + failed;
    expect(total).toBeGreaterThanOrEqual(RATE * SECONDS * 0.8);
    expect(pending).toBe(0);
    expect(late).toBe(0);
    expect(ok / total, `${failed} of ${total} failed`).toBeGreaterThanOrEqual(0.999);
    expect(leftAfterMs, 'the dead endpoint never left the balancer').toBeGreaterThanOrEqual(0);
    expect(leftAfterMs).toBeLessThanOrEqual(ttlSeconds * 1000 + 1000);
    expect(byServer.get('s2-again') ?? 0, 'the restarted server received no call').toBeGreaterThan(0);
    client.close();
  } finally {
    for (const c of children) c.kill('SIGKILL');
  }
}

describe('fault runs', () => {
  let registry: RunningRegistry | undefined;
  const etcd = new EtcdProcess();
  afterAll(async () => {
    await registry?.close();
    if (etcdBin !== undefined) await etcd.dispose();
  });

  it('behind a registry:// target', async () => {
    registry = await startRegistry();
    await faultRun(registry.target, 1);
  }, 40_000);

  it.skipIf(etcdBin === undefined)(
    'behind an etcd:// target',
    async () => {
      await etcd.start();
      // etcd will not grant leases much under its election timeout (~1.5 s by default): 2 s.
      await faultRun(etcd.target('fault'), 2);
    },
    40_000,
  );
});
