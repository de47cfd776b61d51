/**
 * The report's charts, rendered to SVG on the server by Apache ECharts (server-side rendering, no
 * DOM or canvas needed).
 */

import * as echarts from 'echarts';
import { formatBytes } from './format.js';
import { lossRates, MEASURES } from './loss-report.js';
import type { RunResult } from './results.js';
import { SYSTEM_NAMES, type System } from './systems.js';

const WIDTH = 860;
const HEIGHT = 440;

/** Colours fixed per system, so a system looks the same in every chart: weft warm, peers cool. */
const COLOURS: Record<System, string> = {
  'weft-mux': '#d62728',
  'weft-mux-scaled': '#ff7f0e',
  'weft-pooled': '#8c564b',
  'weft-pooled-pipelined': '#e377c2',
  'weft-ws': '#bcbd22',
  'weft-mux-proto': '#ff9896',
  'weft-mux-otel': '#c49c94',
  'weft-mux-otel-sdk': '#f7b6d2',
  'grpc-js-proto': '#9edae5',
  'node-http2': '#1f77b4',
  'grpc-js': '#17becf',
  ws: '#2ca02c',
  undici: '#9467bd',
  raw: '#7f7f7f',
};

function render(option: echarts.EChartsOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'Helvetica, Arial, sans-serif' },
    ...option,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  // Accessible charts: the title as the SVG's own title, for screen readers and link previews.
  const title = (option.title as { text?: string } | undefined)?.text ?? 'chart';
  return svg
    .replace(/^<svg /, `<svg role="img" aria-label="${escapeXml(title)}" `)
    .replace(/^(<svg[^>]*>)/, `$1<title>${escapeXml(title)}</title>`);
}

interface Series {
  system: System;
  values: (number | null)[];
}

function lineChart(
  title: string,
  subtitle: string,
  xName: string,
  categories: string[],
  yName: string,
  series: Series[],
  log: boolean,
): string {
  return render({
    title: { text: title, subtext: subtitle, left: 'center' },
    // Gaps wide enough that a marker never touches the label before it.
    legend: { bottom: 0, left: 'center', width: WIDTH - 80, type: 'plain', itemGap: 24 },
    grid: { left: 80, right: 30, top: 70, bottom: 100 },
    xAxis: { type: 'category', name: xName, nameLocation: 'middle', nameGap: 28, data: categories },
    yAxis: { type: log ? 'log' : 'value', name: yName, nameLocation: 'middle', nameGap: 60 },
    series: series.map((s) => ({
      name: s.system,
      type: 'line',
      data: s.values,
      symbolSize: 7,
      lineStyle: { width: s.system.startsWith('weft') ? 3 : 2 },
      itemStyle: { color: COLOURS[s.system] },
      connectNulls: false,
    })),
  });
}

/** Horizontal bars, one per system (long names stay readable), top to bottom in report order. */
function barChart(
  title: string,
  subtitle: string,
  valueName: string,
  bars: { system: System; value: number }[],
  log: boolean,
): string {
  const ordered = [...bars].reverse();
  return render({
    title: { text: title, subtext: subtitle, left: 'center' },
    // The grid grows to fit the longest label.
    grid: { left: 20, right: 60, top: 70, bottom: 50, containLabel: true },
    yAxis: {
      type: 'category',
      data: ordered.map((b) => b.system),
    },
    xAxis: { type: log ? 'log' : 'value', name: valueName, nameLocation: 'middle', nameGap: 28 },
    series: [
      {
        type: 'bar',
        data: ordered.map((b) => ({ value: b.value, itemStyle: { color: COLOURS[b.system] } })),
        label: {
          show: true,
          position: 'right',
          formatter: (p: { value: unknown }) => compact(Number(p.value)),
        },
      },
    ],
  });
}

/**
 * One labelled point per system on two measures at once, for a trade-off: which systems no other
 * beats on both.
 */
function scatterChart(
  title: string,
  subtitle: string,
  xName: string,
  yName: string,
  points: { system: System; x: number; y: number }[],
  logY: boolean,
): string {
  return render({
    title: { text: title, subtext: subtitle, left: 'center' },
    grid: { left: 30, right: 150, top: 80, bottom: 50, containLabel: true },
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: logY ? 'log' : 'value', name: yName, nameLocation: 'middle', nameGap: 50 },
    // One series, so that labels of points close together move apart rather than overlap.
    series: [
      {
        type: 'scatter',
        symbolSize: 12,
        data: points.map((p) => ({
          value: [p.x, p.y],
          name: p.system,
          itemStyle: { color: COLOURS[p.system] },
        })),
        label: { show: true, position: 'right', formatter: '{b}', fontSize: 12 },
        labelLayout: { moveOverlap: 'shiftY' },
      },
    ],
  });
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 100) return String(Math.round(n));
  return n.toPrecision(3);
}

const ok = (r: RunResult) => r.failed === undefined;

function systemsIn(runs: RunResult[]): System[] {
  const seen = new Set(runs.map((r) => r.system));
  return SYSTEM_NAMES.filter((s) => seen.has(s));
}

/** Every chart the runs allow, by file name. */
export function charts(runs: RunResult[]): Map<string, string> {
  const out = new Map<string, string>();
  const unary = runs.filter((r) => r.scenario === 'unary' && ok(r));
  if (unary.length > 0) {
    const levels = [...new Set(unary.map((r) => r.concurrency))].sort((a, b) => a - b);
    const series = systemsIn(unary).map((system) => ({
      system,
      values: levels.map(
        (c) => unary.find((r) => r.system === system && r.concurrency === c)?.callsPerSec ?? null,
      ),
    }));
    out.set(
      'throughput.svg',
      lineChart(
        'Unary calls per second by calls in flight',
        '64-byte echo, loopback, client and server in separate processes',
        'calls in flight',
        levels.map(String),
        'calls/s (log)',
        series,
        true,
      ),
    );
    const at = levels.includes(100) ? 100 : levels[levels.length - 1]!;
    const dist = unary.filter((r) => r.concurrency === at && r.distribution.length > 0);
    if (dist.length > 0) {
      const percentiles = dist[0]!.distribution.map(([p]) => p);
      out.set(
        'latency.svg',
        lineChart(
          `Latency distribution, ${at} calls in flight`,
          '64-byte unary echo; HDR histogram',
          'percentile',
          percentiles.map((p) => `p${p}`),
          'ms (log)',
          dist.map((r) => ({
            system: r.system,
            values: r.distribution.map(([, ms]) => Math.max(ms, 0.001)),
          })),
          true,
        ),
      );
    }
  }
  const payload = runs.filter((r) => r.scenario === 'payload' && ok(r));
  if (payload.length > 0) {
    const sizes = [...new Set(payload.map((r) => r.payloadBytes))].sort((a, b) => a - b);
    out.set(
      'payload.svg',
      lineChart(
        'Throughput by message size, 16 calls in flight',
        'payload megabytes per second, requests and echoes together',
        'message size',
        sizes.map(formatBytes),
        'MB/s (log)',
        systemsIn(payload).map((system) => ({
          system,
          values: sizes.map(
            (b) => payload.find((r) => r.system === system && r.payloadBytes === b)?.mbPerSec ?? null,
          ),
        })),
        true,
      ),
    );
  }
  const hol = runs.filter((r) => r.scenario === 'hol' && ok(r));
  if (hol.length > 0) {
    out.set(
      'hol.svg',
      scatterChart(
        'Head-of-line blocking: small calls against the 16 MiB transfer beside them',
        '8 loops of 64-byte calls beside one loop of 16 MiB echoes; better is lower (small calls) and to the right (transfer)',
        'MB/s moved (the transfer and the small calls)',
        'small-call p99 ms (log)',
        hol.map((r) => ({ system: r.system, x: r.mbPerSec, y: Math.max(r.p99Ms, 0.001) })),
        true,
      ),
    );
  }
  const warm = runs.filter((r) => r.scenario === 'warmup' && ok(r) && r.warmup !== undefined);
  if (warm.length > 0) {
    const n = Math.max(...warm.map((r) => r.warmup!.buckets.length));
    out.set(
      'warmup.svg',
      lineChart(
        'Warm-up: calls/s of a fresh client and server, per 100 ms',
        '64-byte calls, 100 in flight from the first call on, no priming',
        'seconds since the first call',
        Array.from({ length: n }, (_, i) => ((i + 1) / 10).toFixed(1)),
        'calls/s',
        systemsIn(warm).map((system) => {
          const buckets = warm.find((r) => r.system === system)!.warmup!.buckets;
          return { system, values: Array.from({ length: n }, (_, i) => (buckets[i] ?? 0) * 10) };
        }),
        false,
      ),
    );
  }
  const link = runs.filter((r) => r.scenario === 'link' && ok(r));
  if (link.length > 0) {
    const l = link[0]!.link!;
    out.set(
      'link.svg',
      barChart(
        `Impaired link: ${l.rttMs} ms RTT, ${l.mbit} Mbit/s${l.lossPct ? `, ${l.lossPct}% loss` : ''}`,
        `1 KiB calls, 100 in flight, ${l.emulation === 'userspace proxy' ? 'through the bench’s userspace link proxy' : `network namespaces joined by ${l.emulation}`}`,
        'calls/s',
        link.map((r) => ({ system: r.system, value: r.callsPerSec })),
        false,
      ),
    );
  }
  const loss = runs.filter((r) => r.scenario === 'loss' && ok(r));
  if (loss.length > 0) {
    const rates = lossRates(loss);
    for (const [workload, m] of Object.entries(MEASURES)) {
      const of = loss.filter((r) => r.workload === workload);
      if (of.length === 0) continue;
      const series = systemsIn(of).map((system) => ({
        system,
        values: rates.map((rate) => {
          const r = of.find((x) => x.system === system && (x.link?.lossPct ?? 0) === rate);
          return r === undefined ? null : m.value(r);
        }),
      }));
      out.set(
        `loss-${workload}.svg`,
        lineChart(`Packet loss: ${m.title}`, m.intro, 'loss %', rates.map(String), m.unit, series, false),
      );
    }
  }
  return out;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
