/** The report's conclusions follow the numbers, and the results schema check catches bad shapes. */
import { describe, expect, it } from 'vitest';
import { conclusions, holSummary } from '../src/main/report.js';
import { checkResults, type RunResult } from '../src/main/results.js';
import type { System } from '../src/main/systems.js';

function run(system: System, concurrency: number, callsPerSec: number): RunResult {
  return {
    scenario: 'unary',
    system,
    concurrency,
    payloadBytes: 64,
    callsPerSec,
    mbPerSec: (callsPerSec * 128) / 1e6,
    p50Ms: 1,
    p99Ms: 2,
    p999Ms: 3,
    cpuUsPerCall: 10,
    clientCpuUsPerCall: 5,
    serverCpuUsPerCall: 5,
    rssMb: 50,
    errors: 0,
    distribution: [],
    tls: false,
  };
}

describe('conclusions', () => {
  it('say where the winner between mux and pooled changes', () => {
    const lines = conclusions([
      run('weft-mux', 1, 5000),
      run('weft-pooled', 1, 9000),
      run('weft-mux', 100, 60_000),
      run('weft-pooled', 100, 40_000),
    ]);
    const verdict = lines.find((l) => l.startsWith('Multiplex or pool'))!;
    expect(verdict).toContain('The winner changes with load');
    expect(verdict).toContain('from 100 in flight one multiplexed connection leads');
  });

  it('say when one side wins everywhere, and give ratios against the peers', () => {
    const lines = conclusions([
      run('weft-mux', 100, 30_000),
      run('weft-pooled', 100, 80_000),
      run('undici', 100, 50_000),
      run('grpc-js', 100, 10_000),
    ]);
    expect(lines.find((l) => l.startsWith('Multiplex or pool'))).toContain(
      'A pool of 16 connections wins at every load',
    );
    const peers = lines.find((l) => l.startsWith('Against the peers'))!;
    expect(peers).toContain('weft-pooled = 1.60× undici (16 connections, one call each)');
    expect(peers).toContain('weft-mux = 3.00× grpc-js (gRPC over one HTTP/2 connection)');
    // Figures, not verdicts.
    expect(peers).not.toMatch(/target|met|missed/);
  });

  it('leave failed runs out of the comparisons and count them', () => {
    const failed = { ...run('weft-mux', 100, 0), failed: 'server exited' };
    const lines = conclusions([failed, run('weft-pooled', 100, 80_000)]);
    expect(lines.some((l) => l.startsWith('Multiplex or pool'))).toBe(false);
    expect(lines.at(-1)).toBe('1 run(s) failed; see the tables.');
  });
});

describe('checkResults', () => {
  const good = { machine: 'm', startedAt: 'a', finishedAt: 'b', runs: [run('raw', 1, 10)] };
  it('accepts a well-formed document', () => {
    expect(checkResults(good)).toEqual([]);
  });
  it('names each problem', () => {
    expect(checkResults({ ...good, machine: '' })).toEqual(['machine is not a non-empty string']);
    expect(checkResults({ ...good, runs: [{ ...run('raw', 1, 10), p99Ms: Number.NaN }] })).toEqual([
      'runs[0].p99Ms = NaN',
    ]);
    expect(checkResults({ ...good, runs: [{ ...run('raw', 1, 10), scenario: 'warp' }] })).toEqual([
      'runs[0].scenario warp',
    ]);
    expect(checkResults(null)).toEqual(['not an object']);
  });
});

describe('head-of-line blocking', () => {
  const hol = (system: System, p99Ms: number, mbPerSec: number): RunResult => ({
    ...run(system, 8, 1000),
    scenario: 'hol',
    p99Ms,
    mbPerSec,
  });

  it('does not call best a system that got its p99 by starving the transfer', () => {
    const line = holSummary([hol('weft-mux', 5, 400), hol('weft-pooled', 1, 20), hol('node-http2', 8, 300)]);
    expect(line).not.toMatch(/best/);
    expect(line).toContain(
      'no system beats weft-pooled (p99 1.00 ms, 20 MB/s), weft-mux (p99 5.00 ms, 400 MB/s) on both',
    );
    expect(line).toContain('Beaten on both: node-http2 by weft-mux.');
  });

  it('names one system best only when it leads on both', () => {
    const line = holSummary([hol('weft-mux', 1, 400), hol('node-http2', 8, 300)]);
    expect(line).toContain('weft-mux (p99 1.00 ms, 400 MB/s) is best on both');
  });
});
