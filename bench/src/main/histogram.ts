/** Call latencies as an HDR histogram (hdr-histogram-js), in microseconds, 3 significant digits. */
import * as hdr from 'hdr-histogram-js';

/** Latency figures of one run, in milliseconds. */
export interface Latency {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** The distribution for charts: [percentile, ms] pairs from p0 to p99.99. */
  distribution: [number, number][];
}

/** Percentiles charted: dense near the tail, where the systems differ. */
const CHART_PERCENTILES = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99];

export class LatencyHistogram {
  readonly #h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Record one call's latency. */
  record(ms: number): void {
    this.#h.recordValue(Math.min(120_000_000, Math.max(1, Math.round(ms * 1000))));
  }

  get count(): number {
    return this.#h.totalCount;
  }

  summary(): Latency {
    const at = (p: number) => (this.#h.totalCount === 0 ? 0 : this.#h.getValueAtPercentile(p) / 1000);
    return {
      p50Ms: at(50),
      p99Ms: at(99),
      p999Ms: at(99.9),
      maxMs: this.#h.totalCount === 0 ? 0 : this.#h.maxValue / 1000,
      distribution: CHART_PERCENTILES.map((p) => [p, at(p)]),
    };
  }
}
