/** The main bench's results (`results.json`) and a check of their shape. */
import type { System } from './systems.js';

export const SCENARIOS = ['unary', 'payload', 'hol', 'link', 'tls', 'churn', 'warmup', 'loss'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** An impaired link: round trip, bandwidth each way, and packet loss each way. */
export interface Link {
  rttMs: number;
  mbit: number;
  /** Only a real link (network namespaces joined by netem or wirefilter) can lose packets. */
  lossPct?: number;
  /** In results: how it was emulated, and the round trip a 1-byte TCP echo measured on it at its loss rate. */
  emulation?: 'netem' | 'wirefilter' | 'userspace proxy';
  measuredRttMs?: number;
  /** In results, over a real link: TCP segments the client's namespace sent and retransmitted during the run. */
  segments?: number;
  retransmits?: number;
}

/** The workloads of the loss scenario. */
export type Workload = 'calls' | 'page' | 'bulk';

/** One measured run: one system under one scenario's load. */
export interface RunResult {
  scenario: Scenario;
  system: System;
  concurrency: number;
  payloadBytes: number;
  callsPerSec: number;
  /** Payload megabytes (10^6) per second, requests and echoes together. */
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Client and server CPU time per call, in microseconds. */
  cpuUsPerCall: number;
  clientCpuUsPerCall: number;
  serverCpuUsPerCall: number;
  /** Server resident memory at the end of the run. */
  rssMb: number;
  errors: number;
  /** Latency distribution, [percentile, ms]. */
  distribution: [number, number][];
  tls: boolean;
  link?: Link;
  /** `loss`: which of its workloads — small calls, a page of concurrent calls, bulk transfer. */
  workload?: Workload;
  /** `hol`: the bulk message in flight. */
  bulkBytes?: number;
  /** `tls`: mean TLS handshake, full and resumed with a session ticket. */
  handshakeMs?: number;
  /**
   * `warmup`: a fresh client and server — calls/s over the first 500 ms from the first call, the
   * steady rate after it, and calls completed per 100 ms from the start.
   */
  warmup?: { firstRate: number; steadyRate: number; ratio: number; buckets: number[] };
  resumedHandshakeMs?: number;
  /** The run could not be measured (crash, hang, no calls): why. */
  failed?: string;
  /** First call error seen, when `errors` > 0. */
  firstError?: string;
}

export interface Results {
  machine: string;
  startedAt: string;
  finishedAt: string;
  /** `standard` or `quick`. */
  plan: string;
  /** Set when the run was interrupted (Ctrl-C): the results are partial. */
  interrupted?: boolean;
  /** How the link scenario was emulated, in words. */
  linkEmulation: string;
  runs: RunResult[];
}

const NUMBER_FIELDS = [
  'concurrency',
  'payloadBytes',
  'callsPerSec',
  'mbPerSec',
  'p50Ms',
  'p99Ms',
  'p999Ms',
  'cpuUsPerCall',
  'rssMb',
  'errors',
] as const;

/** Problems with the shape of `value` as results.json (empty: none). */
export function checkResults(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return ['not an object'];
  const r = value as Record<string, unknown>;
  for (const key of ['machine', 'startedAt', 'finishedAt']) {
    if (typeof r[key] !== 'string' || r[key] === '') problems.push(`${key} is not a non-empty string`);
  }
  if (!Array.isArray(r.runs)) return [...problems, 'runs is not an array'];
  r.runs.forEach((run: Record<string, unknown>, i) => {
    if (!SCENARIOS.includes(run.scenario as Scenario))
      problems.push(`runs[${i}].scenario ${String(run.scenario)}`);
    if (typeof run.system !== 'string') problems.push(`runs[${i}].system`);
    for (const key of NUMBER_FIELDS) {
      const v = run[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        problems.push(`runs[${i}].${key} = ${String(v)}`);
    }
  });
  return problems;
}
