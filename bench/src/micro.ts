import { Bench } from 'tinybench';

/** One benchmarked implementation inside a comparison group. */
export interface MicroCase {
  /** Display name, e.g. `weft lengthPrefixed(varint)`. */
  name: string;
  /** The reference row of its group: ratios are this case's rate divided into the others'. */
  baseline?: boolean;
  /** Units (frames, MB, lines, fields) one call of `fn` processes. */
  unitsPerOp: number;
  /** Work under test. Returns a count checked once against `expect` before timing. */
  fn: () => number;
  /** What `fn` must return (a sanity check that the measured path really did the work). */
  expect: number;
}

/** A group of cases doing the same work on the same input, compared side by side in one run. */
export interface MicroGroup {
  suite: string;
  title: string;
  unit: string;
  /** Target for weft rows against the baseline (e.g. 8 for "at least 8x"), if the issue sets one. */
  target?: { ratio: number; case: string };
  cases: MicroCase[];
}

/** Measured result of one case. */
export interface MicroResult {
  suite: string;
  group: string;
  name: string;
  unit: string;
  unitsPerSec: number;
  ratio: number;
  rmePercent: number;
  samples: number;
  baseline: boolean;
  target?: number;
  met?: boolean;
}

/** Run each group's cases back to back in one tinybench run; ratios against the group's baseline. */
export async function runGroups(
  groups: MicroGroup[],
  timeMs: number,
  log: (s: string) => void,
): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  for (const g of groups) {
    for (const c of g.cases) {
      const got = c.fn();
      if (got !== c.expect)
        throw new Error(`${g.title} / ${c.name}: sanity check returned ${got}, expected ${c.expect}`);
    }
    log(`  ${g.suite}: ${g.title} ...`);
    const bench = new Bench({ time: timeMs, warmupTime: Math.min(250, timeMs / 2) });
    for (const c of g.cases) bench.add(c.name, c.fn);
    await bench.run();
    const rate = new Map<string, { perSec: number; rme: number; samples: number }>();
    for (const task of bench.tasks) {
      const r = task.result;
      if (r.state !== 'completed') throw new Error(`${g.title} / ${task.name}: ${r.state}`);
      const c = g.cases.find((x) => x.name === task.name)!;
      rate.set(task.name, {
        perSec: r.throughput.mean * c.unitsPerOp,
        rme: r.latency.rme,
        samples: r.latency.samplesCount,
      });
    }
    const base = g.cases.find((c) => c.baseline) ?? g.cases[0]!;
    const baseRate = rate.get(base.name)!.perSec;
    for (const c of g.cases) {
      const m = rate.get(c.name)!;
      const ratio = m.perSec / baseRate;
      const isTarget = g.target !== undefined && g.target.case === c.name;
      results.push({
        suite: g.suite,
        group: g.title,
        name: c.name,
        unit: g.unit,
        unitsPerSec: m.perSec,
        ratio,
        rmePercent: m.rme,
        samples: m.samples,
        baseline: c === base,
        ...(isTarget ? { target: g.target!.ratio, met: ratio >= g.target!.ratio } : {}),
      });
    }
  }
  return results;
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(1);
}

/** Results as a Markdown table (also readable in a terminal). */
export function markdownTable(results: MicroResult[]): string {
  const rows = [
    '| group | implementation | rate | vs baseline | target | ± |',
    '| --- | --- | ---: | ---: | --- | ---: |',
  ];
  for (const r of results) {
    const target = r.target === undefined ? '' : `≥ ${r.target}× ${r.met ? '✅ met' : '❌ missed'}`;
    rows.push(
      `| ${r.group} | ${r.name}${r.baseline ? ' (baseline)' : ''} | ${human(r.unitsPerSec)}${r.unit}/s | ${r.ratio.toFixed(2)}× | ${target} | ${r.rmePercent.toFixed(1)}% |`,
    );
  }
  return rows.join('\n');
}
