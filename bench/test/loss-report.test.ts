/**
 * The loss scenario's answer, from a run's own numbers: the loss rate at which a pool overtakes
 * one multiplexed connection on a workload (by more than 5%), or that none did in the range.
 */
import { describe, expect, it } from 'vitest';
import { crossover, lossSection } from '../src/main/loss-report.js';
import type { RunResult, Workload } from '../src/main/results.js';
import type { System } from '../src/main/systems.js';

function run(system: System, workload: Workload, lossPct: number, value: number): RunResult {
  return {
    scenario: 'loss',
    system,
    workload,
    concurrency: 100,
    payloadBytes: 64,
    callsPerSec: value,
    mbPerSec: value,
    p50Ms: value,
    p99Ms: value,
    p999Ms: value,
    cpuUsPerCall: 1,
    clientCpuUsPerCall: 1,
    serverCpuUsPerCall: 0,
    rssMb: 1,
    errors: 0,
    distribution: [],
    tls: false,
    link: { rttMs: 20, mbit: 100, lossPct, emulation: 'wirefilter' },
  };
}

describe('the loss crossover', () => {
  it('names the loss rate from which a pool stays ahead of one connection', () => {
    const runs = [
      run('weft-mux', 'calls', 0, 1000),
      run('weft-pooled', 'calls', 0, 500),
      run('weft-mux', 'calls', 1, 600),
      run('weft-pooled', 'calls', 1, 590),
      run('weft-mux', 'calls', 2, 300),
      run('weft-pooled', 'calls', 2, 450),
    ];
    // At 1% the pool is within 5%: not yet.
    expect(crossover(runs, 'calls')).toContain(
      'weft-pooled overtakes one multiplexed connection (weft-mux) from 2% loss on, by more than 5% at each rate up to 2% — 450 against 300 calls/s at 2%',
    );
  });

  it('a lead that does not last is not a crossover', () => {
    const runs = [
      run('weft-mux', 'calls', 0, 1000),
      run('weft-pooled', 'calls', 0, 1200),
      run('weft-mux', 'calls', 1, 600),
      run('weft-pooled', 'calls', 1, 500),
    ];
    expect(crossover(runs, 'calls')).toBe(
      'small calls: no pool (weft-pooled) stays ahead of one multiplexed connection (weft-mux) between 0–1% loss — leads that did not last: weft-pooled at 0%.',
    );
  });

  it('a pool ahead everywhere is said to be', () => {
    const runs = [
      run('weft-mux', 'calls', 0, 1000),
      run('weft-pooled', 'calls', 0, 1200),
      run('weft-mux', 'calls', 1, 600),
      run('weft-pooled', 'calls', 1, 700),
    ];
    expect(crossover(runs, 'calls')).toContain(
      'weft-pooled is ahead of one multiplexed connection (weft-mux) by more than 5% at every loss rate measured (0–1%)',
    );
  });

  it('for a page, lower is better', () => {
    const runs = [
      run('weft-mux', 'page', 0, 100),
      run('weft-pooled', 'page', 0, 200),
      run('weft-mux', 'page', 5, 400),
      run('weft-pooled', 'page', 5, 300),
    ];
    expect(crossover(runs, 'page')).toContain('from 5% loss on');
  });

  it('says so when no pool overtakes within the range', () => {
    const runs = [
      run('weft-mux', 'bulk', 0, 10),
      run('weft-pooled', 'bulk', 0, 9),
      run('weft-mux', 'bulk', 5, 8),
      run('weft-pooled', 'bulk', 5, 8),
    ];
    expect(crossover(runs, 'bulk')).toContain(
      'no pool (weft-pooled) stays ahead of one multiplexed connection (weft-mux) between 0–5% loss.',
    );
  });

  it('the section has a table per workload with a column per loss rate', () => {
    const runs = [
      run('weft-mux', 'calls', 0, 1000),
      run('weft-mux', 'calls', 2, 800),
      run('weft-pooled', 'calls', 0, 500),
    ];
    const md = lossSection(runs, 'A real link.', new Set());
    expect(md).toContain('| system | 0% | 2% |');
    expect(md).toContain('| weft-mux | 1,000 | 800 |');
    expect(md).toContain('| weft-pooled | 500 |  |');
  });
});
