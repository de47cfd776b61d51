/**
 * `report.md`: the run's tables and the conclusions its own numbers support — which transport to
 * use at which load, and what weft gains over its peers — with the charts beside them.
 */

import { formatBytes, formatCount, formatMs } from './format.js';
import { crossover, lossSection } from './loss-report.js';
import type { Results, RunResult } from './results.js';
import { SYSTEM_NAMES, SYSTEMS, type System } from './systems.js';

const ok = (r: RunResult) => r.failed === undefined;

function find(
  runs: RunResult[],
  scenario: string,
  system: System,
  concurrency?: number,
  payload?: number,
): RunResult | undefined {
  return runs.find(
    (r) =>
      ok(r) &&
      r.scenario === scenario &&
      r.system === system &&
      (concurrency === undefined || r.concurrency === concurrency) &&
      (payload === undefined || r.payloadBytes === payload),
  );
}

function ratio(
  a: RunResult | undefined,
  b: RunResult | undefined,
  key: 'callsPerSec' | 'mbPerSec' = 'callsPerSec',
): string | undefined {
  if (a === undefined || b === undefined || b[key] === 0) return undefined;
  return `${(a[key] / b[key]).toFixed(2)}×`;
}

function table(head: string[], rows: string[][]): string {
  const align = head.map((_, i) => (i < 2 ? '---' : '---:'));
  return [`| ${head.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
}

function runRow(r: RunResult): string[] {
  if (!ok(r)) return [r.system, `failed: ${r.failed}`, '', '', '', '', '', ''];
  return [
    r.system,
    formatCount(r.callsPerSec),
    r.mbPerSec >= 1 ? r.mbPerSec.toFixed(1) : r.mbPerSec.toFixed(2),
    formatMs(r.p50Ms),
    formatMs(r.p99Ms),
    formatMs(r.p999Ms),
    r.cpuUsPerCall.toFixed(1),
    r.errors === 0 ? '0' : `${r.errors} (${r.firstError ?? ''})`,
  ];
}

const RUN_HEAD = ['system', 'calls/s', 'MB/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'CPU µs/call', 'errors'];

function section(title: string, intro: string, groups: [string, RunResult[]][], chart?: string): string {
  const parts = [`## ${title}`, '', intro, ''];
  if (chart !== undefined) parts.push(`![${title}](${chart})`, '');
  for (const [label, runs] of groups) {
    if (runs.length === 0) continue;
    if (label !== '') parts.push(`**${label}**`, '');
    parts.push(table(RUN_HEAD, runs.map(runRow)), '');
  }
  return parts.join('\n');
}

function bySystem(runs: RunResult[]): RunResult[] {
  return [...runs].sort((a, b) => SYSTEM_NAMES.indexOf(a.system) - SYSTEM_NAMES.indexOf(b.system));
}

/** Conclusions from this run's numbers, as bullet points. */
export function conclusions(runs: RunResult[]): string[] {
  const out: string[] = [];
  const unary = runs.filter((r) => r.scenario === 'unary' && ok(r));
  const levels = [...new Set(unary.map((r) => r.concurrency))].sort((a, b) => a - b);
  // Multiplex or pool?
  const verdicts = levels
    .map((c) => {
      const mux = find(runs, 'unary', 'weft-mux', c);
      const pooled = find(runs, 'unary', 'weft-pooled', c);
      if (mux === undefined || pooled === undefined) return undefined;
      return { c, mux, pooled, muxWins: mux.callsPerSec >= pooled.callsPerSec };
    })
    .filter((v) => v !== undefined);
  if (verdicts.length > 0) {
    const describe = (v: (typeof verdicts)[number]) =>
      `${v.c} in flight: mux ${formatCount(v.mux.callsPerSec)}, pooled ${formatCount(v.pooled.callsPerSec)} calls/s`;
    const flips = verdicts.filter((v, i) => i > 0 && v.muxWins !== verdicts[i - 1]!.muxWins);
    const summary =
      flips.length === 0
        ? `**${verdicts[0]!.muxWins ? 'One multiplexed connection' : 'A pool of 16 connections'} wins at every load measured**`
        : `**The winner changes with load**: ${flips.map((f) => `from ${f.c} in flight ${f.muxWins ? 'one multiplexed connection' : 'the pool'} leads`).join('; ')}`;
    out.push(`Multiplex or pool (64-byte unary calls)? ${summary} — ${verdicts.map(describe).join('; ')}.`);
  }
  const best = levels
    .map((c) => {
      const at = unary.filter((r) => r.concurrency === c);
      const top = at.reduce((a, b) => (b.callsPerSec > a.callsPerSec ? b : a), at[0]!);
      return `${c}: ${top.system} (${formatCount(top.callsPerSec)})`;
    })
    .join(', ');
  if (best !== '') out.push(`Fastest system by calls in flight — ${best}.`);
  // weft against its peers at 100 in flight (or the highest load run).
  const c = levels.includes(100) ? 100 : levels[levels.length - 1];
  if (c !== undefined) {
    const pairs: [System, System, string][] = [
      ['weft-mux', 'grpc-js', 'gRPC over one HTTP/2 connection'],
      ['weft-mux-proto', 'grpc-js-proto', 'gRPC in protobuf: protobuf-es against proto-loader'],
      ['weft-mux', 'node-http2', 'one HTTP/2 connection'],
      ['weft-pooled', 'undici', '16 connections, one call each'],
      ['weft-ws', 'ws', 'one WebSocket'],
      ['weft-mux', 'raw', 'the floor: a bare socket'],
    ];
    const lines = pairs
      .map(([a, b, what]) => {
        const r = ratio(find(runs, 'unary', a, c), find(runs, 'unary', b, c));
        return r === undefined ? undefined : `${a} = ${r} ${b} (${what})`;
      })
      .filter((l) => l !== undefined);
    if (lines.length > 0) out.push(`Against the peers at ${c} in flight: ${lines.join('; ')}.`);
  }
  const payload = runs.filter((r) => r.scenario === 'payload' && ok(r));
  if (payload.length > 0) {
    const largest = Math.max(...payload.map((r) => r.payloadBytes));
    const at = payload.filter((r) => r.payloadBytes === largest);
    const top = at.reduce((a, b) => (b.mbPerSec > a.mbPerSec ? b : a), at[0]!);
    out.push(
      `Large messages (${formatBytes(largest)}, 16 in flight): ${top.system} moves the most, ${top.mbPerSec.toFixed(0)} MB/s; ${at
        .filter((r) => r !== top)
        .map((r) => `${r.system} ${r.mbPerSec.toFixed(0)}`)
        .join(', ')}.`,
    );
  }
  const hol = runs.filter((r) => r.scenario === 'hol' && ok(r));
  if (hol.length > 1) out.push(holSummary(hol));
  const link = runs.filter((r) => r.scenario === 'link' && ok(r));
  if (link.length > 0) {
    const top = link.reduce((a, b) => (b.callsPerSec > a.callsPerSec ? b : a), link[0]!);
    const l = link[0]!.link!;
    const loss = l.lossPct ? `${l.lossPct}% loss` : 'no loss';
    const measured = l.measuredRttMs === undefined ? '' : `, ${formatMs(l.measuredRttMs)} ms measured`;
    out.push(
      `On the impaired link (${l.rttMs} ms RTT, ${l.mbit} Mbit/s, ${loss}${measured}) ${top.system} does best with ${formatCount(top.callsPerSec)} calls/s; p99 ranges ${formatMs(Math.min(...link.map((r) => r.p99Ms)))}–${formatMs(Math.max(...link.map((r) => r.p99Ms)))} ms.`,
    );
  }
  const loss = runs.filter((r) => r.scenario === 'loss');
  for (const workload of ['calls', 'page', 'bulk'] as const) {
    const answer = loss.length > 0 ? crossover(loss, workload) : undefined;
    if (answer !== undefined) out.push(`Packet loss, ${answer}`);
  }
  const hs = runs.filter((r) => r.scenario === 'tls' && ok(r) && r.handshakeMs !== undefined);
  if (hs.length > 0) {
    out.push(
      `TLS 1.3 set-up: ${hs.map((r) => `${r.system} ${formatMs(r.handshakeMs!)} ms full, ${formatMs(r.resumedHandshakeMs!)} ms resumed`).join('; ')}.`,
    );
  }
  const churn = runs.filter((r) => r.scenario === 'churn' && ok(r));
  const steady = churn
    .map((r) => {
      const s = find(runs, 'unary', r.system, 16);
      return s === undefined ? undefined : `${r.system} ${(s.callsPerSec / r.callsPerSec).toFixed(0)}×`;
    })
    .filter((l) => l !== undefined);
  if (steady.length > 0)
    out.push(
      `A connection per call costs (steady calls/s ÷ churn calls/s at 16 in flight): ${steady.join(', ')}.`,
    );
  const warm = runs.filter((r) => r.scenario === 'warmup' && ok(r) && r.warmup !== undefined);
  if (warm.length > 0) {
    out.push(
      `Warm-up, a fresh client and server: over the first 500 ms ${warm
        .map((r) => `${r.system} runs at ${(r.warmup!.ratio * 100).toFixed(0)}% of its steady rate`)
        .join(', ')}.`,
    );
  }
  const failed = runs.filter((r) => !ok(r));
  if (failed.length > 0) out.push(`${failed.length} run(s) failed; see the tables.`);
  return out;
}

/**
 * Head-of-line blocking ranked on both of its measures: the small calls' p99 and the rate the
 * transfer beside them reached. A system that got a low p99 by starving the transfer is not "best":
 * the summary names the systems no other beats on both, and for each other system one that does.
 */
export function holSummary(hol: RunResult[]): string {
  const show = (r: RunResult) => `${r.system} (p99 ${formatMs(r.p99Ms)} ms, ${r.mbPerSec.toFixed(0)} MB/s)`;
  const beats = (a: RunResult, b: RunResult) =>
    a.p99Ms <= b.p99Ms && a.mbPerSec >= b.mbPerSec && (a.p99Ms < b.p99Ms || a.mbPerSec > b.mbPerSec);
  const front = hol.filter((r) => !hol.some((o) => beats(o, r))).sort((a, b) => a.p99Ms - b.p99Ms);
  const beaten = hol
    .filter((r) => !front.includes(r))
    .map(
      (r) =>
        `${r.system} by ${front.find((f) => beats(f, r))?.system ?? hol.find((o) => beats(o, r))!.system}`,
    );
  let line = `Head-of-line blocking, small calls while a 16 MiB transfer moves, on both measures (small-call p99, the rate moved): ${
    front.length === 1
      ? `${show(front[0]!)} is best on both`
      : `no system beats ${front.map(show).join(', ')} on both — from lowest p99 to fastest transfer, each trades one for the other`
  }.`;
  if (beaten.length > 0) line += ` Beaten on both: ${beaten.join(', ')}.`;
  return line;
}

/** The whole report. `charts` are the chart files written beside it. */
export function report(results: Results, charts: Set<string>): string {
  const runs = results.runs;
  const chart = (name: string) => (charts.has(name) ? name : undefined);
  const parts: string[] = [
    '# Weft bench: multiplexed vs pooled vs WebSocket, and the peers',
    '',
    `${results.machine}. Plan \`${results.plan}\`, started ${results.startedAt}, finished ${results.finishedAt}.${results.interrupted ? ' **Interrupted: partial results.**' : ''}`,
    ...(results.plan === 'quick'
      ? [
          '',
          '**A smoke run (`--quick`): short windows on processes that have barely warmed up. Its numbers show that everything runs, not how fast; do not compare them with a standard run’s.**',
        ]
      : []),
    'Every run echoes `{ data: bytes }`, in msgpack (in protobuf for the `-proto` systems); client and server run in separate processes on loopback. CPU µs/call counts client and server together.',
    '',
    '## What this run says',
    '',
    ...conclusions(runs).map((c) => `- ${c}`),
    '',
  ];
  const of = (scenario: string) => runs.filter((r) => r.scenario === scenario);
  const unary = of('unary');
  if (unary.length > 0) {
    const levels = [...new Set(unary.map((r) => r.concurrency))].sort((a, b) => a - b);
    parts.push(
      section(
        'Unary calls by load',
        '64-byte calls; each of N loops starts its next call when the last returns.',
        levels.map((c) => [`${c} in flight`, bySystem(unary.filter((r) => r.concurrency === c))]),
        chart('throughput.svg'),
      ),
    );
    if (chart('latency.svg') !== undefined) parts.push('![Latency distribution](latency.svg)', '');
  }
  const payload = of('payload');
  if (payload.length > 0) {
    const sizes = [...new Set(payload.map((r) => r.payloadBytes))].sort((a, b) => a - b);
    parts.push(
      section(
        'Message size',
        '16 calls in flight; MB/s counts request and echo payloads.',
        sizes.map((b) => [formatBytes(b), bySystem(payload.filter((r) => r.payloadBytes === b))]),
        chart('payload.svg'),
      ),
    );
  }
  if (of('hol').length > 0) {
    parts.push(
      section(
        'Head-of-line blocking',
        'Eight loops of 64-byte calls while one loop echoes 16 MiB messages on the same client; the figures are the small calls’. Pipelined and single-socket systems queue small replies behind the transfer; a multiplexer interleaves them.',
        [['', bySystem(of('hol'))]],
        chart('hol.svg'),
      ),
    );
  }
  if (of('link').length > 0) {
    parts.push(
      section(
        'Impaired link',
        `${results.linkEmulation} 1 KiB calls, 100 in flight.`,
        [['', bySystem(of('link'))]],
        chart('link.svg'),
      ),
    );
  }
  if (of('loss').length > 0) parts.push(lossSection(of('loss'), results.linkEmulation, charts));
  const tls = of('tls');
  if (tls.length > 0) {
    const hs = bySystem(tls.filter((r) => r.handshakeMs !== undefined));
    parts.push(
      '## TLS',
      '',
      'Connection set-up: sequential TLS 1.3 handshakes to each system’s server, full and resumed with a session ticket; then 64-byte calls, 100 in flight, over TLS.',
      '',
    );
    if (hs.length > 0) {
      parts.push(
        table(
          ['system', 'full handshake ms', 'resumed ms', 'saving'],
          hs.map((r) =>
            ok(r)
              ? [
                  r.system,
                  formatMs(r.handshakeMs!),
                  formatMs(r.resumedHandshakeMs!),
                  r.resumedHandshakeMs! > 0 ? `${(r.handshakeMs! / r.resumedHandshakeMs!).toFixed(1)}×` : '—',
                ]
              : [r.system, `failed: ${r.failed}`, '', ''],
          ),
        ),
        '',
      );
    }
    const calls = bySystem(tls.filter((r) => r.handshakeMs === undefined));
    if (calls.length > 0) parts.push(table(RUN_HEAD, calls.map(runRow)), '');
  }
  if (of('churn').length > 0) {
    parts.push(
      section(
        'A connection per call',
        '64-byte calls, 16 in flight, each on a new connection (client created, called once, closed): for reference.',
        [['', bySystem(of('churn'))]],
      ),
    );
  }
  const warm = bySystem(of('warmup'));
  if (warm.length > 0) {
    parts.push(
      '## Warm-up',
      '',
      'A fresh server and a fresh client process (no priming), 64-byte calls, 100 in flight from the first call on: the rate over the first 500 ms against the steady rate 1.5–2.5 s in.',
      '',
    );
    if (charts.has('warmup.svg')) parts.push('![Warm-up](warmup.svg)', '');
    parts.push(
      table(
        ['system', 'first 500 ms, calls/s', 'steady, calls/s', 'first ÷ steady'],
        warm.map((r) =>
          ok(r) && r.warmup !== undefined
            ? [
                r.system,
                formatCount(r.warmup.firstRate),
                formatCount(r.warmup.steadyRate),
                `${(r.warmup.ratio * 100).toFixed(0)}%`,
              ]
            : [r.system, `failed: ${r.failed}`, '', ''],
        ),
      ),
      '',
    );
  }
  parts.push(
    '## Systems',
    '',
    table(
      ['system', 'connections', 'what it is'],
      SYSTEM_NAMES.filter((s) => runs.some((r) => r.system === s)).map((s) => [
        s,
        SYSTEMS[s].connections,
        SYSTEMS[s].description,
      ]),
    ),
    '',
  );
  return `${parts.join('\n')}\n`;
}
