/**
 * Which runs a bench invocation makes: the scenarios expanded over systems, concurrencies, payloads
 * and loss rates, grouped so that runs sharing a server and a client process share them.
 */
import type { PhaseMode } from './protocol.js';
import type { Link, Scenario, Workload } from './results.js';
import { SYSTEMS, type System } from './systems.js';

export interface RunSpec {
  scenario: Scenario;
  system: System;
  mode: PhaseMode;
  concurrency: number;
  payloadBytes: number;
  bulkBytes?: number;
  tls: boolean;
  link?: Link;
  workload?: Workload;
}

/**
 * Runs against one server (and proxy), driven by one client process. Over a real link the runs may
 * differ in loss rate (the loss scenario sweeps them on one link and one set of connections); the
 * group's link gives the round trip and bandwidth.
 */
export interface Group {
  system: System;
  tls: boolean;
  link?: Link;
  runs: RunSpec[];
}

export interface PlanOptions {
  quick: boolean;
  scenarios?: Scenario[];
  systems?: System[];
  concurrency?: number[];
  payload?: number[];
  link?: Link;
  /** The loss scenario's loss rates, %. */
  lossRates?: number[];
}

const KiB = 1024;
const MiB = 1024 * 1024;

/** The link scenario's default: a path across a region. */
export const DEFAULT_LINK: Link = { rttMs: 20, mbit: 100 };

/**
 * The order systems run in: each weft system next to the peers the report compares it with, so
 * that a machine slowing down or speeding up during the job (seen: 30% over three minutes on a
 * shared host) skews a ratio as little as possible.
 */
const RUN_ORDER: System[] = [
  'weft-mux',
  'grpc-js',
  'weft-mux-proto',
  'grpc-js-proto',
  'node-http2',
  'raw',
  'weft-pooled',
  'undici',
  'weft-ws',
  'ws',
  'weft-mux-scaled',
  'weft-pooled-pipelined',
];

/** The protobuf pair answers one question — weft against grpc-js on a .proto — on calls alone. */
const CALLS_ONLY: ReadonlySet<System> = new Set([
  'weft-mux-proto',
  'grpc-js-proto',
  'weft-mux-otel',
  'weft-mux-otel-sdk',
]);

/** Systems that run only when named with `--systems` (they measure one feature's cost). */
const OPT_IN: System[] = ['weft-mux-otel', 'weft-mux-otel-sdk'];

/** Systems worth running on each scenario (all of them unless it would say nothing new). */
const LINK_SYSTEMS: System[] = [
  'weft-mux',
  'weft-mux-scaled',
  'weft-pooled',
  'node-http2',
  'grpc-js',
  'undici',
];
/** The loss scenario's systems: one multiplexed connection against pools, and the peers. */
const LOSS_SYSTEMS: System[] = [
  'weft-mux',
  'weft-mux-scaled',
  'weft-pooled',
  'weft-pooled-pipelined',
  'weft-ws',
  'node-http2',
  'grpc-js',
  'undici',
];

/** The warm-up scenario's systems: each transport of weft, the peers, the floor. */
const WARMUP_SYSTEMS: System[] = ['weft-mux', 'weft-pooled', 'weft-ws', 'node-http2', 'grpc-js', 'raw'];

/** The loss scenario's bulk echo: 16 in flight keep 1 MiB on the wire, four times the 20 ms link's BDP. */
export const LOSS_BULK_BYTES = 64 * KiB;

/** The loss scenario's default loss rates, %. */
export const DEFAULT_LOSS_RATES = [0, 0.5, 1, 2, 5];

const QUICK_SYSTEMS: System[] = RUN_ORDER.filter(
  (s) => s !== 'ws' && s !== 'weft-mux-scaled' && s !== 'weft-pooled-pipelined',
);

export function plan(options: PlanOptions): Group[] {
  const q = options.quick;
  const scenarios = options.scenarios ?? ['unary', 'payload', 'hol', 'link', 'tls', 'churn', 'warmup'];
  const chosen = (list: System[]) =>
    list.filter((s) => options.systems === undefined || options.systems.includes(s));
  const all = [
    ...chosen(q ? QUICK_SYSTEMS : RUN_ORDER),
    ...OPT_IN.filter((s) => options.systems?.includes(s) === true),
  ];
  const concurrencies = options.concurrency ?? (q ? [1, 100] : [1, 16, 100, 1000]);
  const payloads = options.payload ?? (q ? [64, 64 * KiB] : [64, 4 * KiB, 64 * KiB, MiB]);
  const groups = new Map<string, Group>();
  const add = (run: RunSpec) => {
    // The loss scenario's rates share a group: the link changes its loss between runs.
    const loss = run.scenario === 'loss' ? 'sweep' : (run.link?.lossPct ?? '');
    // A warm-up run needs a client and a server of its own, fresh.
    const fresh = run.mode === 'warmup' ? 'fresh' : '';
    const key = `${run.system}|${run.tls}|${run.link?.rttMs ?? ''}|${run.link?.mbit ?? ''}|${loss}|${fresh}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = {
        system: run.system,
        tls: run.tls,
        ...(run.link === undefined ? {} : { link: { rttMs: run.link.rttMs, mbit: run.link.mbit } }),
        runs: [],
      };
      groups.set(key, g);
    }
    g.runs.push(run);
  };
  const base = { tls: false, payloadBytes: 64 } as const;
  for (const system of all) {
    if (scenarios.includes('unary')) {
      for (const c of concurrencies)
        add({ ...base, scenario: 'unary', system, mode: 'load', concurrency: c });
    }
    if (scenarios.includes('payload')) {
      for (const p of payloads)
        add({ ...base, scenario: 'payload', system, mode: 'load', concurrency: 16, payloadBytes: p });
    }
    if (CALLS_ONLY.has(system)) continue;
    if (scenarios.includes('hol')) {
      add({ ...base, scenario: 'hol', system, mode: 'hol', concurrency: 8, bulkBytes: 16 * MiB });
    }
    if (scenarios.includes('churn')) {
      add({ ...base, scenario: 'churn', system, mode: 'churn', concurrency: 16 });
    }
  }
  if (scenarios.includes('link')) {
    const link = options.link ?? DEFAULT_LINK;
    for (const system of chosen(q ? ['weft-mux', 'weft-pooled'] : LINK_SYSTEMS)) {
      add({ ...base, scenario: 'link', system, mode: 'load', concurrency: 100, payloadBytes: KiB, link });
    }
  }
  if (scenarios.includes('loss')) {
    const { rttMs, mbit } = options.link ?? DEFAULT_LINK;
    const rates = options.lossRates ?? (q ? [0, 2] : DEFAULT_LOSS_RATES);
    for (const system of chosen(q ? ['weft-mux', 'weft-pooled'] : LOSS_SYSTEMS)) {
      for (const lossPct of rates) {
        const link = { rttMs, mbit, lossPct };
        const loss = { ...base, scenario: 'loss', system, link } as const;
        add({ ...loss, workload: 'calls', mode: 'load', concurrency: 100 });
        add({ ...loss, workload: 'page', mode: 'page', concurrency: 100, payloadBytes: 10 * KiB });
        // Bulk: as many transfers in flight as the pool has connections.
        add({ ...loss, workload: 'bulk', mode: 'load', concurrency: 16, payloadBytes: LOSS_BULK_BYTES });
      }
    }
  }
  if (scenarios.includes('warmup')) {
    for (const system of chosen(q ? ['weft-mux', 'raw'] : WARMUP_SYSTEMS)) {
      add({ ...base, scenario: 'warmup', system, mode: 'warmup', concurrency: 100 });
    }
  }
  if (scenarios.includes('tls')) {
    const tlsSystems = chosen(
      q ? ['weft-mux', 'node-http2'] : ['weft-mux', 'weft-pooled', 'weft-ws', 'node-http2'],
    );
    for (const system of tlsSystems.filter((s) => SYSTEMS[s].tls)) {
      add({ ...base, scenario: 'tls', system, mode: 'handshake', concurrency: 1, tls: true });
      add({ ...base, scenario: 'tls', system, mode: 'load', concurrency: 100, tls: true });
    }
  }
  return [...groups.values()];
}
