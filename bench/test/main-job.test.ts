/**
 * The main bench job end to end: `weft-bench --quick` with a short duration writes results.json
 * (checked against its schema), report.md and the charts, and leaves no process behind; Ctrl-C
 * stops it cleanly with partial results.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkResults, type Results } from '../src/main/results.js';

const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Each job of this file runs with this tag in its environment, which its children inherit: the
 * leftover check then sees this file's processes only, not those of other bench tests running
 * alongside.
 */
const TAG = `WEFT_BENCH_TEST=${process.pid}`;
const tagged = { ...process.env, WEFT_BENCH_TEST: String(process.pid) };

/** Bench child processes of this file's jobs still alive (server, client, link proxy). */
function benchChildren(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => /bench\/dist\/src\/main\/(server|client|link-proxy)\.js/.test(l))
    .filter((l) => {
      try {
        return readFileSync(`/proc/${l.trim().split(/\s+/)[0]}/environ`, 'utf8')
          .split('\0')
          .includes(TAG);
      } catch {
        return false; // gone meanwhile
      }
    });
}

describe('weft-bench main job', () => {
  it('--quick writes results.json, report.md and charts, and leaves no process behind', async () => {
    const out = tempDir();
    const child = spawn(
      process.execPath,
      [cli, '--quick', '--duration', '0.1', '--systems', 'weft-mux,weft-pooled,undici', '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'], env: tagged },
    );
    let log = '';
    child.stdout.on('data', (c: Buffer) => {
      log += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      log += c.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code, log).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(checkResults(results)).toEqual([]);
    const scenarios = new Set(results.runs.map((r) => r.scenario));
    expect([...scenarios].sort()).toEqual(['churn', 'hol', 'link', 'payload', 'tls', 'unary', 'warmup']);
    expect(new Set(results.runs.map((r) => r.system))).toEqual(
      new Set(['weft-mux', 'weft-pooled', 'undici']),
    );
    // Every run measured calls, none failed, on loopback no call errs.
    for (const run of results.runs) {
      expect(run.failed, `${run.scenario} ${run.system}`).toBeUndefined();
      expect(run.callsPerSec, `${run.scenario} ${run.system}`).toBeGreaterThan(0);
      expect(run.errors, `${run.scenario} ${run.system}: ${run.firstError}`).toBe(0);
    }
    // The warm-up run: a fresh client's rate per 100 ms from its first call, and its ratio.
    const warm = results.runs.find((r) => r.scenario === 'warmup')!;
    expect(warm.warmup!.buckets.length).toBeGreaterThanOrEqual(20);
    expect(warm.warmup!.firstRate).toBeGreaterThan(0);
    expect(warm.warmup!.ratio).toBeCloseTo(warm.warmup!.firstRate / warm.warmup!.steadyRate, 6);
    const handshake = results.runs.find((r) => r.scenario === 'tls' && r.handshakeMs !== undefined);
    expect(handshake?.resumedHandshakeMs).toBeGreaterThan(0);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    // A smoke run says so, and gives figures, never verdicts.
    expect(report).toContain('A smoke run (`--quick`)');
    expect(report).not.toMatch(/target ≥|targets? (met|missed)/);
    for (const heading of [
      '## What this run says',
      '## Unary calls by load',
      '## Message size',
      '## Head-of-line blocking',
      '## Impaired link',
      '## TLS',
      '## A connection per call',
      '## Warm-up',
    ]) {
      expect(report).toContain(heading);
    }
    expect(report).toMatch(/Multiplex or pool/);
    for (const chart of [
      'throughput.svg',
      'latency.svg',
      'payload.svg',
      'hol.svg',
      'link.svg',
      'warmup.svg',
    ]) {
      expect(report).toContain(`](${chart})`);
      const svg = readFileSync(join(out, chart), 'utf8');
      expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      expect(svg).toMatch(/<title>[^<]+<\/title>/);
    }
    expect(benchChildren()).toEqual([]);
  }, 120_000);

  it('Ctrl-C stops the run, kills its children and writes partial results', async () => {
    const out = tempDir();
    const child = spawn(process.execPath, [cli, '--scenario', 'unary', '--duration', '2', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: tagged,
    });
    let log = '';
    let errors = '';
    child.stderr.on('data', (c: Buffer) => {
      errors += c.toString();
    });
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        log += c.toString();
        // Interrupt once the first run is done and the next one is under way.
        if (/\[1\/\d+\][^\n]*calls\/s/.test(log)) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code, `the bench's stderr: ${errors}`).toBe(130);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.interrupted).toBe(true);
    expect(checkResults(results)).toEqual([]);
    expect(results.runs.length).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('Interrupted: partial results');
    // Children are killed with SIGKILL: give the kernel a moment to reap them.
    await new Promise((r) => setTimeout(r, 300));
    expect(benchChildren()).toEqual([]);
  }, 60_000);
});
