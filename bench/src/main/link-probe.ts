/**
 * Can this machine emulate a lossy link in the kernel (network namespaces joined by veth with
 * `tc netem`)? The answer, with the reason when it cannot, goes into the report: without netem the
 * bench's userspace proxy adds delay and a bandwidth limit but cannot drop packets.
 */
import { execFileSync } from 'node:child_process';

/** Why kernel link emulation is unavailable here, or undefined when it would work. */
export function netemUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `the platform is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'the bench does not run as root (network namespaces need it)';
  const ns = `weft-probe-${process.pid}`;
  const run = (args: string[]) =>
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
  try {
    run(['netns', 'add', ns]);
  } catch (err) {
    return `no network namespaces (ip netns add: ${reason(err)})`;
  }
  try {
    run(['-n', ns, 'link', 'set', 'lo', 'up']);
    run([
      'netns',
      'exec',
      ns,
      'tc',
      'qdisc',
      'add',
      'dev',
      'lo',
      'root',
      'netem',
      'delay',
      '1ms',
      'loss',
      '1%',
    ]);
    return undefined;
  } catch (err) {
    return `tc netem is unavailable (${reason(err)})`;
  } finally {
    try {
      run(['netns', 'del', ns]);
    } catch {
      // Nothing was left to remove.
    }
  }
}

function reason(err: unknown): string {
  const e = err as { stderr?: Buffer; code?: string; message?: string };
  if (e.code === 'ENOENT') return 'iproute2 is not installed';
  return (e.stderr?.toString().trim() || e.message || String(err)).split('\n')[0]!;
}
