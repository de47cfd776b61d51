#!/usr/bin/env node
/**
 * `weft-bench`: by default the main job (multiplexed vs pooled vs WebSocket against the peers; see
 * main/job.ts); `--micro` runs the tinybench micro suites; `--suite` runs the component suites of
 * the mux and ws issues.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { codecGroups } from '../micro/codec.bench.js';
import { framingGroups } from '../micro/framing.bench.js';
import { hpackGroups } from '../micro/hpack.bench.js';
import { wsFrameGroups } from '../micro/ws-frames.bench.js';
import { hostileRuns, hostileTable } from './hostile/run.js';
import { machine, runJob } from './main/job.js';
import { SCENARIOS, type Scenario } from './main/results.js';
import { isSystem, SYSTEM_NAMES, type System } from './main/systems.js';
import { type MicroGroup, markdownTable, runGroups } from './micro.js';
import { bulkComparison, memoryComparison, memoryTable, muxComparison, muxTable } from './mux/run.js';
import { wsComparison, wsTable } from './ws/run.js';

const MICRO: Record<string, () => MicroGroup[]> = {
  framing: framingGroups,
  hpack: hpackGroups,
  'ws-frames': wsFrameGroups,
  codec: codecGroups,
};
const COMPONENT = ['mux', 'memory', 'ws', 'hostile'];

const USAGE = `usage: weft-bench [options]            the main job (default)
       weft-bench --micro [--time MS]   tinybench micro suites (${Object.keys(MICRO).join(', ')})
       weft-bench --suite NAME[,NAME]   component suites: ${[...Object.keys(MICRO), ...COMPONENT].join(', ')}

main job options:
  --quick               a smoke run (under a minute)
  --scenario LIST       ${SCENARIOS.join(', ')} (default: all but loss)
  --systems LIST        ${SYSTEM_NAMES.join(', ')}
  --duration SECONDS    measured time per run (default 0.8; --quick 0.3)
  --concurrency LIST    calls in flight for 'unary' (default 1,16,100,1000)
  --payload LIST        message sizes for 'payload', e.g. 64,1KiB,1MiB
  --link RTT/MBIT[/LOSS%]  the impaired link, e.g. 20ms/100mbit (default) or 20ms/100mbit/1%:
                        network namespaces joined by netem or wirefilter (root, and netem
                        or vde2), else a userspace proxy (no loss)
  --loss LIST           loss rates (%) of the 'loss' scenario (default 0,0.5,1,2,5; needs root,
                        and netem or vde2), at the RTT and bandwidth of --link
  --out DIR             where results.json, report.md and the charts go (default bench/results/latest)
`;

function lossRate(value: string): number {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n >= 100)
    throw new Error(`--loss: ${value} is not a loss rate in [0, 100)`);
  return n;
}

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function bytes(text: string): number {
  const m = /^(\d+)\s*(B|KiB|MiB)?$/i.exec(text);
  if (m === null) throw new Error(`--payload: cannot read ${JSON.stringify(text)} (e.g. 64, 1KiB, 1MiB)`);
  const unit = (m[2] ?? 'B').toLowerCase();
  return Number(m[1]) * (unit === 'mib' ? 2 ** 20 : unit === 'kib' ? 1024 : 1);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name}: ${JSON.stringify(text)} is not a positive integer`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      micro: { type: 'boolean', default: false },
      suite: { type: 'string' },
      time: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string' },
      systems: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      payload: { type: 'string' },
      link: { type: 'string' },
      loss: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const out = resolve(values.out ?? join(import.meta.dirname, '..', '..', 'results', 'latest'));
  if (values.micro || values.suite !== undefined) {
    await components(
      values.suite === undefined ? Object.keys(MICRO) : list(values.suite)!,
      values.quick,
      values.time,
      out,
    );
    return;
  }
  const scenarios = list(values.scenario);
  for (const s of scenarios ?? []) {
    if (!SCENARIOS.includes(s as Scenario))
      throw new Error(`unknown scenario ${s}; known: ${SCENARIOS.join(', ')}`);
  }
  const systems = list(values.systems);
  for (const s of systems ?? [])
    if (!isSystem(s)) throw new Error(`unknown system ${s}; known: ${SYSTEM_NAMES.join(', ')}`);
  let link: { rttMs: number; mbit: number; lossPct?: number } | undefined;
  if (values.link !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(?:ms)?\/(\d+(?:\.\d+)?)(?:mbit)?(?:\/(\d+(?:\.\d+)?)%?)?$/i.exec(
      values.link.trim(),
    );
    if (m === null || Number(m[2]) <= 0 || Number(m[3] ?? 0) >= 100) {
      throw new Error('--link: expected RTT/MBIT[/LOSS%] such as 20ms/100mbit or 20ms/100mbit/1%');
    }
    link = {
      rttMs: Number(m[1]),
      mbit: Number(m[2]),
      ...(m[3] === undefined ? {} : { lossPct: Number(m[3]) }),
    };
  }
  let timing: { primeMs: number; warmupMs: number; durationMs: number } | undefined;
  if (values.duration !== undefined) {
    const seconds = Number(values.duration);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new Error('--duration: a positive number of seconds');
    timing = {
      primeMs: values.quick ? 0 : 700,
      warmupMs: Math.min(500, Math.max(100, seconds * 300)),
      durationMs: seconds * 1000,
    };
  }
  await runJob({
    out,
    quick: values.quick,
    ...(scenarios === undefined ? {} : { scenarios: scenarios as Scenario[] }),
    ...(systems === undefined ? {} : { systems: systems as System[] }),
    ...(values.concurrency === undefined
      ? {}
      : { concurrency: list(values.concurrency)!.map((c) => positiveInt('--concurrency', c)) }),
    ...(values.payload === undefined ? {} : { payload: list(values.payload)!.map(bytes) }),
    ...(link === undefined ? {} : { link }),
    ...(values.loss === undefined ? {} : { lossRates: list(values.loss)!.map(lossRate) }),
    ...(timing === undefined ? {} : { timing }),
  });
}

/** The micro and component suites, written as micro.json / micro.md. */
async function components(
  names: string[],
  quick: boolean,
  time: string | undefined,
  out: string,
): Promise<void> {
  const all = [...Object.keys(MICRO), ...COMPONENT];
  for (const n of names)
    if (!all.includes(n)) throw new Error(`unknown suite ${n}; known: ${all.join(', ')}`);
  const timeMs = Number(time ?? (quick ? 200 : 1000));
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw new Error(`--time must be a positive number of ms`);
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const info = machine();
  log(`weft-bench suites (${names.join(', ')}), ${timeMs} ms per micro case\n${info}`);
  const groups = names.filter((n) => n in MICRO).flatMap((n) => MICRO[n]!());
  const results = await runGroups(groups, timeMs, log);
  let table = results.length > 0 ? markdownTable(results) : '';
  const add = (title: string, body: string) => {
    table += `${table === '' ? '' : '\n\n'}${title}:\n\n${body}`;
  };
  const missed = results.filter((r) => r.met === false).map((r) => `${r.group} / ${r.name}`);
  if (names.includes('mux')) {
    const mux = await muxComparison(quick ? 2 : 5, log);
    mux.push(...(await bulkComparison(quick ? 256 * 2 ** 20 : 2 ** 30, log)));
    add('HTTP/2, client and server in separate processes', muxTable(mux));
    missed.push(...mux.filter((r) => r.met === false).map((r) => `${r.scenario} / ${r.system}`));
  }
  if (names.includes('memory')) {
    const memory = quick
      ? await memoryComparison(1000, 1000, log)
      : await memoryComparison(10_000, 10_000, log);
    add('Memory, server and client in separate processes (heap after GC)', memoryTable(memory));
  }
  if (names.includes('ws')) {
    const ws = await wsComparison(quick ? 2 : 5, quick ? 1000 : 10_000, log);
    add('WebSocket, server and client in separate processes', wsTable(ws));
    missed.push(...ws.filter((r) => r.met === false).map((r) => `${r.scenario} / ${r.system}`));
  }
  if (names.includes('hostile')) {
    const hostile = await hostileRuns(quick ? 1 : 4, log);
    add('Hostile clients, each against a fresh server with a good client calling it', hostileTable(hostile));
  }
  log(`\n${table}`);
  mkdirSync(out, { recursive: true });
  const startedAt = new Date().toISOString();
  writeFileSync(
    join(out, 'micro.json'),
    `${JSON.stringify({ machine: info, startedAt, timeMs, results }, null, 2)}\n`,
  );
  writeFileSync(
    join(out, 'micro.md'),
    `# Micro and component benchmarks\n\n${info}, ${startedAt}\n\n${table}\n`,
  );
  log(`\nwritten: ${join(out, 'micro.md')}, ${join(out, 'micro.json')}`);
  if (missed.length > 0) log(`targets missed: ${missed.join('; ')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`weft-bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
