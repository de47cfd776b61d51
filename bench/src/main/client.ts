/**
 * A bench client in its own process: `node client.js JOB_JSON` (see protocol.ts). Runs the job's
 * phases one after another on one set of connections, printing progress, marks around each
 * measured window, and each phase's result.
 */
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import { type Caller, makeCaller } from './callers.js';
import { LatencyHistogram } from './histogram.js';
import type { ClientJob, ClientLine, Phase, PhaseResult } from './protocol.js';
import { message } from './systems.js';
import { clientTls } from './tls-fixture.js';

const job = JSON.parse(process.argv[2]!) as ClientJob;
const say = (line: ClientLine) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long calls still in flight at the end of a phase may take before the phase moves on. */
const SETTLE_MS = 10_000;
/** How far a phase with `minSamples` may run past its window to collect them. */
const EXTRA_MS = 5000;

/**
 * The runner's word on each phase, one line on stdin: `go ID` once it has set the link (a new loss
 * rate, say), `skip ID` when the phase cannot run.
 */
const word = new Map<number, 'go' | 'skip'>();
let wake: (() => void) | undefined;
createInterface({ input: process.stdin }).on('line', (line) => {
  const m = /^(go|skip) (\d+)$/.exec(line);
  if (m === null) return;
  word.set(Number(m[2]), m[1] as 'go' | 'skip');
  wake?.();
});
async function wordOn(id: number): Promise<'go' | 'skip'> {
  for (;;) {
    const w = word.get(id);
    if (w !== undefined) return w;
    await new Promise<void>((r) => (wake = r));
  }
}

// A client that ends before its job did says so, with what was still keeping it alive.
let finished = false;
process.on('exit', (code) => {
  if (!finished) {
    const alive = process.getActiveResourcesInfo().join(', ');
    process.stderr.write(`client ended with code ${code} before its job did (active: ${alive || 'none'})\n`);
  }
});

let shared: Caller | undefined;
const connected = () => {
  shared ??= makeCaller(job.system, job.port, job.tls, job.host);
  return shared;
};

async function runLoad(phase: Phase): Promise<PhaseResult> {
  const small = message(phase.payloadBytes);
  const histogram = new LatencyHistogram();
  let measuring = false;
  let stop = false;
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  let bytes = 0;
  const one =
    phase.mode === 'churn'
      ? async (m: typeof small) => {
          const c = makeCaller(job.system, job.port, job.tls, job.host);
          try {
            return await c.call(m);
          } finally {
            c.close();
          }
        }
      : (m: typeof small) => connected().call(m);
  const loop = async (m: typeof small, measured: boolean) => {
    while (!stop) {
      const t0 = performance.now();
      try {
        await one(m);
        if (measuring) {
          bytes += 2 * m.data.length;
          if (measured) {
            calls++;
            histogram.record(performance.now() - t0);
          }
        }
      } catch (err) {
        if (measuring) {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
        }
        // A failing system must not spin: back off a little.
        await sleep(1);
      }
    }
  };
  const page = async () => {
    while (!stop) {
      const t0 = performance.now();
      const outcomes = await Promise.allSettled(Array.from({ length: phase.concurrency }, () => one(small)));
      const failed = outcomes.filter((o) => o.status === 'rejected');
      if (measuring) {
        calls += outcomes.length - failed.length;
        bytes += 2 * small.data.length * (outcomes.length - failed.length);
        errors += failed.length;
        if (failed.length > 0) firstError ??= String((failed[0] as PromiseRejectedResult).reason);
        else histogram.record(performance.now() - t0);
      }
      if (failed.length > 0) await sleep(1);
    }
  };
  const loops: Promise<void>[] = [];
  if (phase.mode === 'hol') loops.push(loop(message(phase.bulkBytes ?? 16 * 2 ** 20), false));
  if (phase.mode === 'page') loops.push(page());
  else for (let i = 0; i < phase.concurrency; i++) loops.push(loop(small, true));
  const progress = setInterval(() => say({ type: 'progress', id: phase.id, calls }), 250);
  await sleep(phase.warmupMs);
  say({ type: 'mark', id: phase.id, edge: 'start' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  measuring = true;
  await sleep(phase.durationMs);
  // A page or a large echo can take longer than a short window over a lossy link: a median of one
  // is no median, and no completed call is no figure.
  if (phase.minSamples !== undefined) {
    const until = performance.now() + EXTRA_MS;
    while (histogram.count < phase.minSamples && performance.now() < until) await sleep(10);
  }
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  say({ type: 'mark', id: phase.id, edge: 'end' });
  stop = true;
  clearInterval(progress);
  await Promise.race([Promise.all(loops), sleep(SETTLE_MS)]);
  return {
    ...histogram.summary(),
    calls,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    seconds,
    bytes,
    cpuUs: cpu.user + cpu.system,
  };
}

/** Mean time of `n` TLS handshakes to the server, without and with session resumption. */
async function runHandshakes(phase: Phase): Promise<PhaseResult> {
  const alpn = job.system.startsWith('weft-mux') || job.system === 'node-http2' ? ['h2'] : ['http/1.1'];
  const connect = (session?: Buffer) =>
    new Promise<{ ms: number; session: Buffer | undefined; resumed: boolean }>((resolve, reject) => {
      const t0 = performance.now();
      const socket = tls.connect({
        host: job.host ?? '127.0.0.1',
        port: job.port,
        ...clientTls(),
        ALPNProtocols: alpn,
        ...(session === undefined ? {} : { session }),
      });
      let ms = 0;
      let resumed = false;
      let done = false;
      const finish = (ticket: Buffer | undefined) => {
        if (done) return;
        done = true;
        socket.destroy();
        resolve({ ms, session: ticket, resumed });
      };
      socket.once('secureConnect', () => {
        ms = performance.now() - t0;
        resumed = socket.isSessionReused();
        // TLS 1.3 tickets come in a record after the handshake: wait for one, briefly.
        setTimeout(() => finish(undefined), 200);
      });
      socket.on('session', (ticket: Buffer) => {
        if (ms > 0) finish(ticket);
        else socket.once('secureConnect', () => finish(ticket));
      });
      socket.once('error', reject);
    });
  const histogram = new LatencyHistogram();
  say({ type: 'mark', id: phase.id, edge: 'start' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const n = Math.max(5, Math.round(phase.durationMs / 20));
  let full = 0;
  let resumedTotal = 0;
  let resumedCount = 0;
  let ticket: Buffer | undefined;
  for (let i = 0; i < n; i++) {
    const f = await connect();
    full += f.ms;
    histogram.record(f.ms);
    ticket = f.session ?? ticket;
    if (ticket === undefined) continue;
    const r = await connect(ticket);
    if (r.resumed) {
      resumedTotal += r.ms;
      resumedCount++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  say({ type: 'mark', id: phase.id, edge: 'end' });
  return {
    ...histogram.summary(),
    calls: n,
    errors: resumedCount === 0 ? 1 : 0,
    ...(resumedCount === 0 ? { firstError: 'no handshake was resumed' } : {}),
    seconds,
    bytes: 0,
    cpuUs: cpu.user + cpu.system,
    handshakeMs: full / n,
    resumedHandshakeMs: resumedCount === 0 ? 0 : resumedTotal / resumedCount,
  };
}

/**
 * The first seconds of a fresh client: `concurrency` loops from the first call on, completions
 * counted per 100 ms; the window after `warmupMs` is the steady rate.
 */
async function runWarmup(phase: Phase): Promise<PhaseResult> {
  const small = message(phase.payloadBytes);
  const buckets: number[] = [];
  const histogram = new LatencyHistogram();
  let stop = false;
  let errors = 0;
  let firstError: string | undefined;
  let inWindow = 0;
  let measuring = false;
  const t0 = performance.now();
  const loop = async () => {
    while (!stop) {
      const started = performance.now();
      try {
        await connected().call(small);
        const now = performance.now();
        const at = Math.floor((now - t0) / 100);
        while (buckets.length <= at) buckets.push(0);
        buckets[at]!++;
        if (measuring) {
          inWindow++;
          histogram.record(now - started);
        }
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
        await sleep(1);
      }
    }
  };
  const loops = Array.from({ length: phase.concurrency }, loop);
  await sleep(phase.warmupMs);
  say({ type: 'mark', id: phase.id, edge: 'start' });
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  measuring = true;
  await sleep(phase.durationMs);
  measuring = false;
  const seconds = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  say({ type: 'mark', id: phase.id, edge: 'end' });
  stop = true;
  // Only whole 100 ms buckets before the stop: the calls still settling are not a rate.
  const whole = Math.floor((performance.now() - t0) / 100);
  await Promise.race([Promise.all(loops), sleep(SETTLE_MS)]);
  buckets.length = Math.min(buckets.length, whole);
  return {
    ...histogram.summary(),
    calls: inWindow,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    seconds,
    bytes: 2 * small.data.length * inWindow,
    cpuUs: cpu.user + cpu.system,
    warmupBuckets: buckets,
  };
}

if (job.primeMs > 0 && job.phases.some((p) => p.mode !== 'handshake' && p.mode !== 'warmup')) {
  await runLoad({
    id: -1,
    mode: 'load',
    concurrency: 16,
    payloadBytes: 64,
    warmupMs: job.primeMs,
    durationMs: 0,
  });
}
for (const phase of job.phases) {
  if ((await wordOn(phase.id)) === 'skip') continue;
  const result =
    phase.mode === 'handshake'
      ? await runHandshakes(phase)
      : phase.mode === 'warmup'
        ? await runWarmup(phase)
        : await runLoad(phase);
  say({ type: 'result', id: phase.id, result });
}
shared?.close();
finished = true;
process.exit(0);
