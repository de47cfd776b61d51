/**
 * Hostile runs: each attack against a fresh weft server in its own process, with a well-behaved
 * client calling the same server throughout. Reported per attack: the server's RSS before and at
 * its peak, its CPU (cores busy) during the attack, and the good client's calls/s, p99 and
 * failures. `WEFT_RPC` in the environment runs the server on another build, for before/after.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as rpc from '@weft/rpc';
import { ATTACKS, type Attack, type Ports } from './attacks.js';
import { defineTarget } from './target.js';

/** One attack's figures. */
export interface HostileResult {
  attack: string;
  rssBeforeMb: number;
  rssPeakMb: number;
  serverCores: number;
  goodCallsPerSec: number;
  goodP99Ms: number;
  goodFailures: number;
}

interface Sample {
  rss: number;
  cpuMs: number;
}

async function runOne(attack: Attack, seconds: number): Promise<HostileResult> {
  const child = fork(fileURLToPath(new URL('./server.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ports = await new Promise<Ports>((resolve) =>
      child.once('message', (m: { ports: Ports }) => resolve(m.ports)),
    );
    // A server too busy to answer within 2 s reports nothing new (its last sample stands).
    let last: Sample = { rss: 0, cpuMs: 0 };
    const sample = () =>
      new Promise<Sample>((resolve) => {
        const timer = setTimeout(() => resolve(last), 2000);
        child.once('message', (m: Sample) => {
          clearTimeout(timer);
          last = m;
          resolve(m);
        });
        child.send('sample');
      });
    const Target = defineTarget(rpc);
    const good = rpc.createClient(Target, { target: `127.0.0.1:${ports.mux}`, retry: { maxAttempts: 1 } });
    await good.echo({ n: 1 }, { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    const before = await sample();
    const abort = new AbortController();
    const attacking = attack.run(ports, abort.signal).catch(() => {});
    const latencies: number[] = [];
    let failures = 0;
    let peak = before.rss;
    const sampler = setInterval(() => void sample().then((s) => (peak = Math.max(peak, s.rss))), 100);
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < end) {
          const t = performance.now();
          try {
            await good.echo({ n: 1 }, { timeoutMs: 2000 });
            latencies.push(performance.now() - t);
          } catch {
            failures++;
            await new Promise((r) => setTimeout(r, 10));
          }
        }
      }),
    );
    clearInterval(sampler);
    const after = await sample();
    abort.abort();
    await attacking;
    good.close();
    latencies.sort((a, b) => a - b);
    return {
      attack: attack.name,
      rssBeforeMb: before.rss / 2 ** 20,
      rssPeakMb: Math.max(peak, after.rss) / 2 ** 20,
      serverCores: (after.cpuMs - before.cpuMs) / (seconds * 1000),
      goodCallsPerSec: latencies.length / seconds,
      goodP99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN,
      goodFailures: failures,
    };
  } finally {
    child.kill('SIGKILL');
  }
}

/** Every attack, `seconds` each. */
export async function hostileRuns(seconds: number, log: (s: string) => void): Promise<HostileResult[]> {
  const out: HostileResult[] = [];
  const only = process.env.HOSTILE_ONLY;
  for (const attack of ATTACKS.filter((a) => only === undefined || a.name.includes(only))) {
    const r = await runOne(attack, seconds);
    log(
      `${r.attack}: server ${r.rssBeforeMb.toFixed(0)} → ${r.rssPeakMb.toFixed(0)} MB, ${r.serverCores.toFixed(2)} cores; good client ${r.goodCallsPerSec.toFixed(0)} calls/s, p99 ${r.goodP99Ms.toFixed(1)} ms, ${r.goodFailures} failed`,
    );
    out.push(r);
  }
  return out;
}

/** The results as a markdown table. */
export function hostileTable(results: HostileResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.attack} | ${r.rssBeforeMb.toFixed(0)} → ${r.rssPeakMb.toFixed(0)} | ${r.serverCores.toFixed(2)} | ${r.goodCallsPerSec.toFixed(0)} | ${r.goodP99Ms.toFixed(1)} | ${r.goodFailures} |`,
  );
  return [
    '| attack | server RSS MB (before → peak) | server cores busy | good client calls/s | good p99 ms | good failures |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}
