/**
 * The main job: plan the runs, run them with live progress, write `results.json`, `report.md` and
 * the SVG charts to the output directory. Ctrl-C kills every child and writes what was measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { charts } from './charts.js';
import { formatBytes, formatCount, formatMs } from './format.js';
import { netnsLinkUnavailable, whyNoNetem } from './netns-link.js';
import { type PlanOptions, plan, type RunSpec } from './plan.js';
import { report } from './report.js';
import type { Results } from './results.js';
import { closeLinks, killChildren, type Progress, runGroup, type Timing } from './runner.js';

export interface JobOptions extends PlanOptions {
  out: string;
  timing?: Timing;
  /** Where progress goes (default stdout). */
  write?: (s: string) => void;
}

/** How the link and loss scenarios are emulated here, in words for the report. */
function linkEmulation(): string {
  const why = netnsLinkUnavailable();
  if (why === undefined) {
    const how =
      whyNoNetem() === undefined
        ? 'a veth pair with kernel netem on each end'
        : "VDE's wirefilter (the kernel has no netem)";
    return `A real link: client and server in two network namespaces joined by ${how} — half the RTT added each way, the bandwidth per direction, packets lost at the given rate each way — so the kernel's TCP sees real loss, retransmissions and timeouts. The loss scenario changes the rate between runs on one link, connections staying up; each rate's round trip is measured by a 1-byte TCP echo.`;
  }
  return `Emulated by a userspace TCP proxy between client and server (half the RTT added each way, one bandwidth limit per direction shared by all connections); it cannot lose packets, so runs with loss fail. A real link is not possible here: ${why}.`;
}

/** The machine, in one line. */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

function describe(run: RunSpec): string {
  const extra =
    run.link === undefined
      ? ''
      : ` ${run.link.rttMs}ms/${run.link.mbit}Mbit${run.link.lossPct ? `/${run.link.lossPct}%` : ''}`;
  const mode =
    run.mode === 'handshake' ? 'handshakes' : `c=${run.concurrency} ${formatBytes(run.payloadBytes)}`;
  const workload = run.workload === undefined ? '' : ` ${run.workload}`;
  return `${run.scenario}${workload} ${run.system}${run.tls ? ' tls' : ''} ${mode}${extra}`;
}

function progressWriter(write: (s: string) => void, tty: boolean): Progress {
  let label = '';
  return {
    start(run, index, total) {
      label = `[${index}/${total}] ${describe(run)}`;
      if (tty) write(`\r\x1b[K${label} ...`);
    },
    tick(calls, elapsedMs) {
      if (tty) write(`\r\x1b[K${label} ... ${(elapsedMs / 1000).toFixed(1)} s, ${formatCount(calls)} calls`);
    },
    done(r) {
      const figures =
        r.failed !== undefined
          ? `FAILED: ${r.failed}`
          : r.handshakeMs !== undefined
            ? `${formatMs(r.handshakeMs)} ms full, ${formatMs(r.resumedHandshakeMs ?? 0)} ms resumed`
            : `${formatCount(r.callsPerSec)} calls/s, p99 ${formatMs(r.p99Ms)} ms${r.errors > 0 ? `, ${r.errors} errors` : ''}`;
      write(`${tty ? '\r\x1b[K' : ''}${label}: ${figures}\n`);
    },
  };
}

/** Run the job; resolves with the results written. */
export async function runJob(options: JobOptions): Promise<Results> {
  const write = options.write ?? ((s: string) => process.stdout.write(s));
  const timing =
    options.timing ??
    (options.quick
      ? { primeMs: 0, warmupMs: 150, durationMs: 300 }
      : { primeMs: 700, warmupMs: 250, durationMs: 700 });
  const groups = plan(options);
  const total = groups.reduce((n, g) => n + g.runs.length, 0);
  const results: Results = {
    machine: machine(),
    startedAt: new Date().toISOString(),
    finishedAt: '',
    plan: options.quick ? 'quick' : 'standard',
    linkEmulation: groups.some((g) => g.link !== undefined) ? linkEmulation() : 'not run',
    runs: [],
  };
  write(
    `weft-bench: ${total} runs in ${groups.length} groups, ${timing.durationMs} ms each after ${timing.warmupMs} ms of warm-up\n${results.machine}\n`,
  );
  const shown = progressWriter(write, options.write === undefined && process.stdout.isTTY === true);
  let interrupted = false;
  // Results are kept as each run ends; once interrupted, runs failing because their children were
  // killed are not results.
  const progress: Progress = {
    start: (run, index, count) => shown.start(run, index, count),
    tick: (calls, elapsedMs) => shown.tick(calls, elapsedMs),
    done: (r) => {
      if (interrupted) return;
      shown.done(r);
      results.runs.push(r);
    },
  };
  const onInterrupt = () => {
    interrupted = true;
    killChildren();
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    for (const group of groups) {
      if (interrupted) break;
      await runGroup(group, timing, results.runs.length + 1, total, progress);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    killChildren();
    await closeLinks();
  }
  if (interrupted) results.interrupted = true;
  results.finishedAt = new Date().toISOString();
  writeOutputs(options.out, results);
  write(`\nwritten: ${join(options.out, 'report.md')}, results.json and charts\n`);
  if (interrupted) process.exitCode = 130;
  return results;
}

function writeOutputs(out: string, results: Results): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const svgs = charts(results.runs);
  for (const [name, svg] of svgs) writeFileSync(join(out, name), svg);
  writeFileSync(join(out, 'report.md'), report(results, new Set(svgs.keys())));
}
