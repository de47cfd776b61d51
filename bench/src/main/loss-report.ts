/**
 * The loss scenario in the report: per workload a table of systems by loss rate, a chart, and the
 * answer to the question the scenario asks — from the run's own numbers, the loss rate from which a
 * pool of connections stays ahead of one multiplexed connection (or that none did in the range).
 */
import { formatCount, formatMs } from './format.js';
import { LOSS_BULK_BYTES } from './plan.js';
import type { RunResult, Workload } from './results.js';
import type { System } from './systems.js';

interface Measure {
  title: string;
  intro: string;
  unit: string;
  value: (r: RunResult) => number;
  better: 'higher' | 'lower';
  format: (n: number) => string;
}

export const MEASURES: Record<Workload, Measure> = {
  calls: {
    title: 'small calls',
    intro: '64-byte unary calls, 100 in flight',
    unit: 'calls/s',
    value: (r) => r.callsPerSec,
    better: 'higher',
    format: formatCount,
  },
  page: {
    title: 'a page',
    intro: '100 concurrent 10 KiB echoes, the time until the last answer arrives (median page)',
    unit: 'ms to the last',
    value: (r) => r.p50Ms,
    better: 'lower',
    format: formatMs,
  },
  bulk: {
    title: 'bulk',
    intro: `${LOSS_BULK_BYTES / 1024} KiB echoes, 16 in flight (one per pooled connection)`,
    unit: 'MB/s',
    value: (r) => r.mbPerSec,
    better: 'higher',
    format: (n) => n.toFixed(1),
  },
};

/** One multiplexed connection, and the pools it is weighed against. */
const MUX: System = 'weft-mux';
const POOLS: System[] = ['weft-pooled', 'weft-pooled-pipelined', 'undici'];

const ok = (r: RunResult) => r.failed === undefined;

/** Loss rates of `runs`, ascending. */
export function lossRates(runs: RunResult[]): number[] {
  return [...new Set(runs.map((r) => r.link?.lossPct ?? 0))].sort((a, b) => a - b);
}

function at(runs: RunResult[], system: System, workload: Workload, rate: number): RunResult | undefined {
  return runs.find(
    (r) => r.system === system && r.workload === workload && (r.link?.lossPct ?? 0) === rate && ok(r),
  );
}

/**
 * The sentence that answers the scenario's question for one workload: the lowest loss rate from
 * which a pool stays ahead of one multiplexed connection — by more than 5%, at that rate and every
 * higher one measured. A lead at one rate that does not last is named as such: on a lossy link one
 * run's figures move by more than that.
 */
export function crossover(runs: RunResult[], workload: Workload): string | undefined {
  const m = MEASURES[workload];
  const rates = lossRates(runs);
  const pools = POOLS.filter((p) => runs.some((r) => r.system === p && r.workload === workload));
  if (!runs.some((r) => r.system === MUX && r.workload === workload) || pools.length === 0) return undefined;
  const beats = (a: number, b: number) => (m.better === 'higher' ? a > b * 1.05 : a < b / 1.05);
  /** Per pool, per rate where both ran: whether it leads. */
  const leads = pools.map((pool) => ({
    pool,
    at: rates.flatMap((rate) => {
      const mux = at(runs, MUX, workload, rate);
      const p = at(runs, pool, workload, rate);
      return mux === undefined || p === undefined
        ? []
        : [{ rate, lead: beats(m.value(p), m.value(mux)), mux: m.value(mux), pool: m.value(p) }];
    }),
  }));
  const range = `${rates[0]}–${rates[rates.length - 1]}%`;
  let best: { pool: System; from: number; figures: string } | undefined;
  for (const { pool, at: points } of leads) {
    // The first rate from which every point leads.
    let from = points.length;
    while (from > 0 && points[from - 1]!.lead) from--;
    if (from === points.length) continue;
    const p = points[from]!;
    if (best === undefined || p.rate < best.from) {
      best = {
        pool,
        from: p.rate,
        figures: `${m.format(p.pool)} against ${m.format(p.mux)} ${m.unit} at ${p.rate}%`,
      };
    }
  }
  if (best !== undefined) {
    return best.from === rates[0]
      ? `${m.title}: ${best.pool} is ahead of one multiplexed connection (${MUX}) by more than 5% at every loss rate measured (${range}) — ${best.figures}.`
      : `${m.title}: ${best.pool} overtakes one multiplexed connection (${MUX}) from ${best.from}% loss on, by more than 5% at each rate up to ${rates[rates.length - 1]}% — ${best.figures}.`;
  }
  const passing = leads.flatMap(({ pool, at: points }) =>
    points.filter((p) => p.lead).map((p) => `${pool} at ${p.rate}%`),
  );
  return `${m.title}: no pool (${pools.join(', ')}) stays ahead of one multiplexed connection (${MUX}) between ${range} loss${
    passing.length > 0 ? ` — leads that did not last: ${passing.join(', ')}` : ''
  }.`;
}

/** The report's section on the loss scenario (Markdown), with the charts named `loss-<workload>.svg`. */
export function lossSection(runs: RunResult[], emulation: string, charts: Set<string>): string {
  const rates = lossRates(runs);
  const first = runs.find((r) => r.link !== undefined)?.link;
  const parts = [
    '## Packet loss: one multiplexed connection or a pool?',
    '',
    `${emulation} ${first === undefined ? '' : `${first.rttMs} ms RTT, ${first.mbit} Mbit/s each way; `}loss rates ${rates.join(', ')}%.`,
    '',
  ];
  for (const workload of ['calls', 'page', 'bulk'] as const) {
    const m = MEASURES[workload];
    const of = runs.filter((r) => r.workload === workload);
    if (of.length === 0) continue;
    const systems = [...new Set(of.map((r) => r.system))];
    parts.push(`### ${m.title[0]!.toUpperCase()}${m.title.slice(1)}`, '', `${m.intro}; ${m.unit}.`, '');
    parts.push(
      `| system | ${rates.map((r) => `${r}%`).join(' | ')} |`,
      `|---|${rates.map(() => '---:').join('|')}|`,
    );
    for (const system of systems) {
      const cells = rates.map((rate) => {
        const r = of.find((x) => x.system === system && (x.link?.lossPct ?? 0) === rate);
        if (r === undefined) return '';
        return ok(r) ? m.format(m.value(r)) : 'failed';
      });
      parts.push(`| ${system} | ${cells.join(' | ')} |`);
    }
    parts.push('');
    const answer = crossover(runs, workload);
    if (answer !== undefined) parts.push(`**${answer}**`, '');
    if (charts.has(`loss-${workload}.svg`))
      parts.push(`![${m.title} by loss rate](loss-${workload}.svg)`, '');
  }
  return parts.join('\n');
}
