/**
 * Runs the plan: for each group a server process (behind an emulated link or a link proxy for the
 * link scenario), then one client process driving the group's phases; the server's CPU is read around each measured window. A system that
 * crashes, hangs or fails to start is recorded as failed and the bench moves on. Every child is
 * killed when the run ends or is interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { type NetnsLink, netnsLinkUnavailable, openNetnsLink, tcpCounters } from './netns-link.js';
import type { Group, RunSpec } from './plan.js';
import type { ClientJob, ClientLine, Phase, PhaseResult } from './protocol.js';
import type { Link, RunResult } from './results.js';

const here = import.meta.dirname;

/** How long a warm-up run goes (from a cold start) before its steady window of 1 s. */
const WARMUP_MS = 1500;
/** Shortest measured window of a `hol` run. */
const HOL_MIN_MS = 1000;
/**
 * Warm-up of a loss run after the group's first: the connections are warm, and 150 ms (seven round
 * trips of the 20 ms link) lets TCP's windows recover from the previous rate.
 */
const LOSS_REWARM_MS = 150;
/** Completed pages a loss window waits for (a median of one is no median). */
const LOSS_PAGES = 2;

export interface Timing {
  /** Unmeasured load before each client's first run (a cold JIT would count against it). */
  primeMs: number;
  warmupMs: number;
  durationMs: number;
}

/** What the runner reports while it works. */
export interface Progress {
  /** A run started: its index (from 1) and the total. */
  start(run: RunSpec, index: number, total: number): void;
  /** Calls so far in the current run. */
  tick(calls: number, elapsedMs: number): void;
  /** A run finished (or failed). */
  done(result: RunResult): void;
}

/** Children alive now, so an interrupt can kill them all. */
const children = new Set<ChildProcess>();

/** Kill every child process the runner started. */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** A child process of the runner: its JSON lines on stdout, and the end of what it said on stderr. */
interface Proc {
  child: ChildProcess;
  lines: Interface;
  /** The last lines of its stderr, for failure messages. */
  stderrTail(): string;
}

/** Where a child runs: a command prefix (`ip netns exec NS`) and environment additions. */
interface Placement {
  prefix?: string[];
  env?: Record<string, string>;
}

/** Node options for every child (`WEFT_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/p'`). */
const nodeArgs = (process.env.WEFT_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

function start(script: string, args: string[], place: Placement = {}): Proc {
  const command = [...(place.prefix ?? []), process.execPath, ...nodeArgs, join(here, script), ...args];
  const child = spawn(command[0]!, command.slice(1), {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(place.env === undefined ? {} : { env: { ...process.env, ...place.env } }),
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stdin!.on('error', () => {});
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  return {
    child,
    lines: createInterface({ input: child.stdout! }),
    stderrTail: () => stderr.trim().split('\n').slice(-3).join(' | '),
  };
}

/** The next JSON line of a child, or an error when it exits or `ms` pass first. */
function nextJson<T>({ child, lines, stderrTail }: Proc, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what}: no answer within ${ms} ms`)), ms);
    const onLine = (line: string) => {
      try {
        finish(undefined, JSON.parse(line) as T);
      } catch {
        // Not ours (a library's log line): keep waiting.
      }
    };
    const onExit = () => finish(new Error(`${what}: ${exitText(child, stderrTail())}`));
    const finish = (err: Error | undefined, value?: T) => {
      clearTimeout(timer);
      lines.off('line', onLine);
      child.off('exit', onExit);
      if (err === undefined) resolve(value!);
      else reject(err);
    };
    lines.on('line', onLine);
    child.once('exit', onExit);
  });
}

/** How a child ended, for a failure message: `exited with code 0 (no output)`. */
function exitText(child: ChildProcess, stderr: string): string {
  const how =
    child.signalCode !== null ? `killed by ${child.signalCode}` : `exited with code ${child.exitCode}`;
  return `${how} (${stderr || 'no output'})`;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

function failedResult(run: RunSpec, why: string): RunResult {
  return {
    scenario: run.scenario,
    system: run.system,
    concurrency: run.concurrency,
    payloadBytes: run.payloadBytes,
    callsPerSec: 0,
    mbPerSec: 0,
    p50Ms: 0,
    p99Ms: 0,
    p999Ms: 0,
    cpuUsPerCall: 0,
    clientCpuUsPerCall: 0,
    serverCpuUsPerCall: 0,
    rssMb: 0,
    errors: 0,
    distribution: [],
    tls: run.tls,
    ...(run.link === undefined ? {} : { link: run.link }),
    ...(run.workload === undefined ? {} : { workload: run.workload }),
    failed: why,
  };
}

/** The warm-up figures of a run's per-100 ms counts and its steady rate. */
function warmupOf(buckets: number[], steadyRate: number): NonNullable<RunResult['warmup']> {
  const first = buckets.slice(0, 5).reduce((n, b) => n + b, 0) / 0.5;
  return { firstRate: first, steadyRate, ratio: steadyRate > 0 ? first / steadyRate : 0, buckets };
}

function toResult(run: RunSpec, r: PhaseResult, serverCpuUs: number, rssMb: number): RunResult {
  const calls = Math.max(1, r.calls);
  const clientCpuUsPerCall = r.cpuUs / calls;
  const serverCpuUsPerCall = serverCpuUs / calls;
  return {
    scenario: run.scenario,
    system: run.system,
    concurrency: run.concurrency,
    payloadBytes: run.payloadBytes,
    callsPerSec: r.calls / r.seconds,
    mbPerSec: r.bytes / r.seconds / 1e6,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    p999Ms: r.p999Ms,
    cpuUsPerCall: clientCpuUsPerCall + serverCpuUsPerCall,
    clientCpuUsPerCall,
    serverCpuUsPerCall,
    rssMb,
    errors: r.errors,
    distribution: r.distribution,
    tls: run.tls,
    ...(run.link === undefined ? {} : { link: run.link }),
    ...(run.workload === undefined ? {} : { workload: run.workload }),
    ...(run.bulkBytes === undefined ? {} : { bulkBytes: run.bulkBytes }),
    ...(r.handshakeMs === undefined ? {} : { handshakeMs: r.handshakeMs }),
    ...(r.resumedHandshakeMs === undefined ? {} : { resumedHandshakeMs: r.resumedHandshakeMs }),
    ...(r.warmupBuckets === undefined ? {} : { warmup: warmupOf(r.warmupBuckets, r.calls / r.seconds) }),
    ...(r.firstError === undefined ? {} : { firstError: r.firstError }),
    ...(r.calls === 0
      ? {
          failed:
            r.errors === 0
              ? `no call completed within the ${r.seconds.toFixed(1)} s window`
              : `no call succeeded${r.firstError ? `: ${r.firstError}` : ''}`,
        }
      : {}),
  };
}

/** Real links by RTT, bandwidth and loss, built once per job and shared by its groups. */
const links = new Map<string, Promise<NetnsLink>>();

function linkFor(link: Link): Promise<NetnsLink> {
  const key = `${link.rttMs}/${link.mbit}`;
  let made = links.get(key);
  if (made === undefined) {
    made = openNetnsLink(link);
    made.catch(() => links.delete(key));
    links.set(key, made);
  }
  return made;
}

/** Take down the job's real links (also done at process exit). */
export async function closeLinks(): Promise<void> {
  const all = [...links.values()];
  links.clear();
  for (const made of all) (await made.catch(() => undefined))?.close();
}

/**
 * A run's measured window. hol: a 16 MiB echo can hold small calls back for longer than a short
 * window, so at least a second (for its p99 to mean something); warmup: a steady second after the
 * cold start; a loss run's page and bulk: half the duration, for they go on until enough pages or
 * echoes completed (`minSamples`) — what makes their figure, more than the time.
 */
function windowMs(run: RunSpec, timing: Timing): number {
  if (run.mode === 'warmup') return 1000;
  if (run.mode === 'hol') return Math.max(timing.durationMs, HOL_MIN_MS);
  if (run.scenario === 'loss' && run.workload !== 'calls') return timing.durationMs / 2;
  return timing.durationMs;
}

/** A run's warm-up: a loss run after its group's first needs only the link to settle. */
function warmupMs(run: RunSpec, index: number, timing: Timing): number {
  if (run.mode === 'warmup') return WARMUP_MS;
  if (run.scenario === 'loss' && index > 0) return Math.min(timing.warmupMs, LOSS_REWARM_MS);
  return timing.warmupMs;
}

/** Run one group; each run's result goes to `progress.done` as it ends (and is returned too). */
export async function runGroup(
  group: Group,
  timing: Timing,
  first: number,
  total: number,
  progress: Progress,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  let runs = group.runs;
  const failAll = (why: string, which = runs) => {
    for (const run of which) {
      progress.start(run, first + results.length, total);
      const r = failedResult(run, why);
      progress.done(r);
      results.push(r);
    }
    return results;
  };
  // The link and loss scenarios: a real link between two network namespaces when this machine can
  // build one (root, and netem or vde2), else the userspace proxy — which cannot lose packets.
  let netns: NetnsLink | undefined;
  let noNetns: string | undefined;
  if (group.link !== undefined) {
    noNetns = netnsLinkUnavailable();
    if (noNetns === undefined) {
      try {
        netns = await linkFor(group.link);
      } catch (err) {
        return failAll(`could not build the emulated link: ${(err as Error).message}`);
      }
    }
  }
  if (group.link !== undefined && netns === undefined) {
    const lossy = runs.filter((r) => (r.link?.lossPct ?? 0) > 0);
    failAll(
      `packet loss needs a real link (network namespaces joined by netem or wirefilter), and ${noNetns}`,
      lossy,
    );
    runs = runs.filter((r) => !lossy.includes(r));
    if (runs.length === 0) return results;
  }
  /** The run's link as measured: its loss set on the real link, or the proxy. */
  let link: Link | undefined;
  const withLink = (r: RunResult, tcp?: { segments: number; retransmits: number }): RunResult =>
    link === undefined ? r : { ...r, link: { ...link, ...tcp } };
  const server = start(
    'server.js',
    [group.system, ...(group.tls ? ['tls'] : [])],
    netns === undefined
      ? {}
      : { prefix: netns.exec(netns.serverNs), env: { WEFT_BENCH_HOST: netns.serverHost } },
  );
  let proxy: Proc | undefined;
  let client: Proc | undefined;
  try {
    let port: number;
    try {
      port = (await nextJson<{ port: number }>(server, 20_000, 'server')).port;
      if (group.link !== undefined && netns === undefined) {
        proxy = start('link-proxy.js', [String(port), String(group.link.rttMs), String(group.link.mbit)]);
        port = (await nextJson<{ port: number }>(proxy, 10_000, 'link proxy')).port;
      }
    } catch (err) {
      return failAll((err as Error).message);
    }
    const phases: Phase[] = runs.map((run, id) => ({
      id,
      mode: run.mode,
      concurrency: run.concurrency,
      payloadBytes: run.payloadBytes,
      ...(run.bulkBytes === undefined ? {} : { bulkBytes: run.bulkBytes }),
      // loss: two pages, or one large echo per call in flight, before a window may end.
      ...(run.scenario === 'loss' && run.workload !== 'calls'
        ? { minSamples: run.workload === 'page' ? LOSS_PAGES : run.concurrency }
        : {}),
      warmupMs: warmupMs(run, id, timing),
      durationMs: windowMs(run, timing),
    }));
    const job: ClientJob = {
      system: group.system,
      port,
      tls: group.tls,
      primeMs: timing.primeMs,
      phases,
      ...(netns === undefined ? {} : { host: netns.serverHost }),
    };
    client = start(
      'client.js',
      [JSON.stringify(job)],
      netns === undefined ? {} : { prefix: netns.exec(netns.clientNs) },
    );
    const stats = async () => {
      server.child.stdin!.write('stats\n');
      return nextJson<{ cpuUs: number; rssMb: number }>(server, 5000, 'server stats');
    };
    // Each phase: warm-up, window, and up to 10 s for calls still in flight to settle.
    const phaseLimit =
      timing.primeMs +
      Math.max(timing.warmupMs, WARMUP_MS) +
      Math.max(timing.durationMs, HOL_MIN_MS) +
      20_000;
    for (const [id, run] of runs.entries()) {
      progress.start(run, first + results.length, total);
      if (run.link !== undefined) {
        const lossPct = run.link.lossPct ?? 0;
        if (netns !== undefined) {
          try {
            const measuredRttMs = await netns.setLoss(lossPct);
            link = { ...run.link, emulation: netns.emulation, measuredRttMs };
          } catch (err) {
            link = undefined;
            client.child.stdin!.write(`skip ${id}\n`);
            const r = failedResult(run, `could not set the link's loss: ${(err as Error).message}`);
            progress.done(r);
            results.push(r);
            continue;
          }
        } else {
          link = { ...run.link, emulation: 'userspace proxy' };
        }
      }
      try {
        const tcpBefore = netns === undefined ? undefined : tcpCounters(netns.clientNs);
        // The link is set: the client may start the phase.
        client.child.stdin!.write(`go ${id}\n`);
        let cpuAtStart = 0;
        let cpuAtEnd = 0;
        let rssMb = 0;
        const began = performance.now();
        const result = await new Promise<PhaseResult>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no result within ${phaseLimit} ms`)), phaseLimit);
          const lines = client!.lines;
          const onLine = (text: string) => {
            let line: ClientLine;
            try {
              line = JSON.parse(text) as ClientLine;
            } catch {
              return;
            }
            if (line.id !== id) return;
            if (line.type === 'progress') progress.tick(line.calls, performance.now() - began);
            else if (line.type === 'mark') {
              const at = stats().then((s) => {
                if (line.edge === 'start') cpuAtStart = s.cpuUs;
                else {
                  cpuAtEnd = s.cpuUs;
                  rssMb = s.rssMb;
                }
              });
              // Awaited with the result; a run cut short (the client died, Ctrl-C) never gets there,
              // and its server's stats may fail with it: not an unhandled rejection then.
              at.catch(() => {});
              pendingStats.push(at);
            } else if (line.type === 'result') {
              cleanup();
              Promise.all(pendingStats).then(() => resolve(line.result), reject);
            }
          };
          const pendingStats: Promise<void>[] = [];
          const onExit = () => {
            cleanup();
            reject(new Error(`client ${exitText(client!.child, client!.stderrTail())}`));
          };
          const cleanup = () => {
            clearTimeout(timer);
            lines.off('line', onLine);
            client!.child.off('exit', onExit);
          };
          lines.on('line', onLine);
          client!.child.once('exit', onExit);
        });
        let tcp: { segments: number; retransmits: number } | undefined;
        if (netns !== undefined && tcpBefore !== undefined) {
          const after = tcpCounters(netns.clientNs);
          tcp = {
            segments: after.outSegs - tcpBefore.outSegs,
            retransmits: after.retransSegs - tcpBefore.retransSegs,
          };
        }
        const r = withLink(toResult(run, result, cpuAtEnd - cpuAtStart, rssMb), tcp);
        progress.done(r);
        results.push(r);
      } catch (err) {
        // The client is gone or stuck: the rest of the group cannot run.
        for (const rest of runs.slice(id)) {
          if (rest !== run) progress.start(rest, first + results.length, total);
          const r = withLink(failedResult(rest, (err as Error).message));
          progress.done(r);
          results.push(r);
        }
        return results;
      }
    }
    return results;
  } finally {
    if (client !== undefined) await stop(client.child);
    if (proxy !== undefined) await stop(proxy.child);
    await stop(server.child);
  }
}
