/**
 * Vitest global setup: every process the suite starts inherits `WEFT_TEST_RUN`, and at the end any
 * process still carrying it (a server a test spawned and did not stop, a grandchild orphaned when
 * only its parent was killed) fails the run by name — and is killed, so it does not outlive it.
 * Linux only (it reads /proc); elsewhere it checks nothing.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

const MARK = 'WEFT_TEST_RUN';

/** Processes (other than vitest's own) whose environment carries this run's mark. */
function marked(run: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!env.includes(`${MARK}=${run}`)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      // A zombie has no command line; vitest's own workers end with it.
      if (cmd === '' || cmd.includes('vitest')) continue;
      found.push({ pid, cmd });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

export default function setup(): (() => Promise<void>) | undefined {
  if (process.platform !== 'linux') return undefined;
  const run = randomUUID();
  process.env[MARK] = run;
  return async () => {
    // A moment for processes killed by the last tests' cleanups to exit.
    let left = marked(run);
    for (let i = 0; i < 20 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = marked(run);
    }
    for (const { pid } of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0 by itself.
      process.exitCode = 1;
      throw new Error(
        `the test run left ${left.length} process(es) behind (now killed):\n${left.map((p) => `  ${p.pid} ${p.cmd}`).join('\n')}`,
      );
    }
  };
}
