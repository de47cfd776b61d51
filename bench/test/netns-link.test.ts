/**
 * The real impaired link: two network namespaces joined by VDE's wirefilter. Built, measured and
 * taken down (nothing left behind), and the link scenario run over it with packet loss. Needs root
 * and vde2 (.ci/run installs it); elsewhere the tests are skipped, and the bench falls back to its
 * userspace proxy.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netnsLinkUnavailable, openNetnsLink } from '../src/main/netns-link.js';
import type { Results } from '../src/main/results.js';

const why = netnsLinkUnavailable();
const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

describe.skipIf(why !== undefined)(
  `network namespaces joined by wirefilter${why ? ` (skipped: ${why})` : ''}`,
  () => {
    it('a 20 ms link measures about 20 ms, and close() leaves nothing behind', async () => {
      const link = await openNetnsLink({ rttMs: 20, mbit: 100 });
      try {
        expect(namespaces()).toContain(link.serverNs);
        expect(link.measuredRttMs).toBeGreaterThan(18);
        expect(link.measuredRttMs).toBeLessThan(60);
      } finally {
        link.close();
      }
      expect(namespaces()).not.toContain(link.serverNs);
      expect(namespaces()).not.toContain(link.clientNs);
      const left = spawnSync('pgrep', ['-f', link.serverNs], { encoding: 'utf8' }).stdout.trim();
      expect(left).toBe('');
    });

    it('the link scenario runs over it with 2% loss, and says so in results.json', () => {
      const out = mkdtempSync(join(tmpdir(), 'weft-link-'));
      try {
        const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
        execFileSync(
          process.execPath,
          [
            cli,
            '--scenario',
            'link',
            '--systems',
            'weft-mux',
            '--link',
            '20ms/100mbit/2%',
            '--duration',
            '0.5',
            '--out',
            out,
          ],
          { stdio: 'ignore', timeout: 60_000 },
        );
        const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
        const [run] = results.runs;
        expect(run?.failed).toBeUndefined();
        expect(run?.link).toMatchObject({ rttMs: 20, mbit: 100, lossPct: 2, emulation: 'wirefilter' });
        expect(run!.link!.measuredRttMs).toBeGreaterThan(18);
        expect(run!.callsPerSec).toBeGreaterThan(0);
        expect(namespaces()).not.toMatch(/weft-[sc]-/);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 90_000);

    it('the loss scenario runs its three workloads with real loss: about 5% of segments retransmitted', () => {
      const out = mkdtempSync(join(tmpdir(), 'weft-loss-'));
      try {
        const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
        execFileSync(
          process.execPath,
          [
            cli,
            '--scenario',
            'loss',
            '--systems',
            'weft-mux,weft-pooled',
            '--loss',
            '5',
            '--duration',
            '0.3',
            '--out',
            out,
          ],
          { stdio: 'ignore', timeout: 120_000 },
        );
        const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
        expect(results.runs.map((r) => `${r.system} ${r.workload}`).sort()).toEqual([
          'weft-mux bulk',
          'weft-mux calls',
          'weft-mux page',
          'weft-pooled bulk',
          'weft-pooled calls',
          'weft-pooled page',
        ]);
        for (const r of results.runs) expect(r.link).toMatchObject({ lossPct: 5, emulation: 'wirefilter' });
        const calls = results.runs.find((r) => r.system === 'weft-mux' && r.workload === 'calls')!;
        expect(calls.callsPerSec).toBeGreaterThan(0);
        // The loss really happened: TCP retransmitted about 5% of what the client sent.
        const segments = results.runs.reduce((n, r) => n + (r.link?.segments ?? 0), 0);
        const retransmits = results.runs.reduce((n, r) => n + (r.link?.retransmits ?? 0), 0);
        expect(segments).toBeGreaterThan(1000);
        expect(retransmits / segments).toBeGreaterThan(0.025);
        expect(retransmits / segments).toBeLessThan(0.15);
        const report = readFileSync(join(out, 'report.md'), 'utf8');
        expect(report).toContain('## Packet loss: one multiplexed connection or a pool?');
        expect(report).toMatch(/small calls: (weft-pooled overtakes|no pool)/);
        expect(namespaces()).not.toMatch(/weft-[sc]-/);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 150_000);
  },
);
