#!/usr/bin/env node
/**
 * `weft-bench`: Weft's benchmark command. Until the transport bench lands (issue 8) it runs the
 * tinybench micro suites of what exists, side by side with their peers, and prints a table of ratios.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { framingGroups } from '../micro/framing.bench.js';
import { hpackGroups } from '../micro/hpack.bench.js';
import { type MicroGroup, markdownTable, runGroups } from './micro.js';
import { bulkComparison, memoryComparison, memoryTable, muxComparison, muxTable } from './mux/run.js';
import { rpcComparison, rpcTable } from './rpc/run.js';
import { wsComparison, wsTable } from './ws/run.js';

const SUITES: Record<string, () => MicroGroup[]> = {
  framing: framingGroups,
  hpack: hpackGroups,
};

const USAGE = `usage: weft-bench [--micro] [--suite NAME[,NAME]] [--time MS] [--out DIR] [--quick]

  --micro        only the tinybench micro suites (in-process)
  --suite        suites to run: ${[...Object.keys(SUITES), 'mux', 'memory', 'ws', 'rpc'].join(', ')} (default: all)
                 mux: weft vs node:http2 (and h2load), client and server in separate processes
                 memory: idle connections and open streams, weft vs node:http2
                 ws: weft vs the ws package (echo, 1 MiB, 1 MiB deflated, idle connections)
                 rpc: unary calls — weft mux vs grpc-js and a raw socket, weft pooled vs undici
  --time MS      measuring time per case (default 1000; --quick: 200)
  --out DIR      where to write micro.json and micro.md (default bench/results/latest)
  --quick        a short smoke run
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      micro: { type: 'boolean', default: false },
      suite: { type: 'string' },
      time: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const all = [...Object.keys(SUITES), 'mux', 'memory', 'ws', 'rpc'];
  const names = values.suite?.split(',') ?? (values.micro ? Object.keys(SUITES) : all);
  for (const n of names) {
    if (!all.includes(n)) throw new Error(`unknown suite ${n}; known: ${all.join(', ')}`);
  }
  const timeMs = Number(values.time ?? (values.quick ? 200 : 1000));
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw new Error(`--time must be a positive number of ms`);
  const out = resolve(values.out ?? join(import.meta.dirname, '..', '..', 'results', 'latest'));

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
  process.stdout.write(`weft-bench micro suites (${names.join(', ')}), ${timeMs} ms per case\n${machine}\n`);
  const groups = names.filter((n) => n in SUITES).flatMap((n) => SUITES[n]!());
  const results = await runGroups(groups, timeMs, (s) => process.stdout.write(`${s}\n`));
  let table = results.length > 0 ? markdownTable(results) : '';
  let mux: Awaited<ReturnType<typeof muxComparison>> = [];
  if (names.includes('mux')) {
    const log = (s: string) => process.stdout.write(`${s}\n`);
    mux = await muxComparison(values.quick ? 2 : 5, log);
    mux.push(...(await bulkComparison(values.quick ? 256 * 2 ** 20 : 2 ** 30, log)));
    table += `${table === '' ? '' : '\n\n'}HTTP/2, client and server in separate processes:\n\n${muxTable(mux)}`;
  }
  let memory: Awaited<ReturnType<typeof memoryComparison>> = [];
  if (names.includes('memory')) {
    const log = (s: string) => process.stdout.write(`${s}\n`);
    memory = values.quick
      ? await memoryComparison(1000, 1000, log)
      : await memoryComparison(10_000, 10_000, log);
    table += `${table === '' ? '' : '\n\n'}Memory, server and client in separate processes (heap after GC):\n\n${memoryTable(memory)}`;
  }
  let ws: Awaited<ReturnType<typeof wsComparison>> = [];
  if (names.includes('ws')) {
    const log = (s: string) => process.stdout.write(`${s}\n`);
    ws = await wsComparison(values.quick ? 2 : 5, values.quick ? 1000 : 10_000, log);
    table += `${table === '' ? '' : '\n\n'}WebSocket, server and client in separate processes:\n\n${wsTable(ws)}`;
  }
  let rpc: Awaited<ReturnType<typeof rpcComparison>> = [];
  if (names.includes('rpc')) {
    const log = (s: string) => process.stdout.write(`${s}\n`);
    rpc = await rpcComparison(values.quick ? 2 : 5, log);
    table += `${table === '' ? '' : '\n\n'}RPC, client and server in separate processes:\n\n${rpcTable(rpc)}`;
  }
  process.stdout.write(`\n${table}\n`);
  mkdirSync(out, { recursive: true });
  const startedAt = new Date().toISOString();
  writeFileSync(
    join(out, 'micro.json'),
    `${JSON.stringify({ machine, startedAt, timeMs, results }, null, 2)}\n`,
  );
  writeFileSync(join(out, 'micro.md'), `# Micro benchmarks\n\n${machine}, ${startedAt}\n\n${table}\n`);
  process.stdout.write(`\nwritten: ${join(out, 'micro.md')}, ${join(out, 'micro.json')}\n`);
  const missed = [
    ...results.filter((r) => r.met === false).map((r) => `${r.group} / ${r.name}`),
    ...mux.filter((r) => r.met === false).map((r) => `${r.scenario} / ${r.system}`),
    ...ws.filter((r) => r.met === false).map((r) => `${r.scenario} / ${r.system}`),
    ...rpc.filter((r) => r.met === false).map((r) => `${r.scenario} / ${r.system} vs ${r.versus}`),
  ];
  if (missed.length > 0) process.stdout.write(`targets missed: ${missed.join('; ')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`weft-bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
