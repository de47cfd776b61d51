import { execFileSync } from 'node:child_process';

/**
 * Whether a system program is installed. Under CI=true a missing tool is a failure (.ci/run installs
 * it); elsewhere the test skips with a loud reason.
 */
export function tool(name: string): { available: boolean; reason: string } {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return { available: true, reason: '' };
  } catch {
    const reason = `${name} is not installed (Debian: apt-get install nghttp2-client curl); .ci/run installs it`;
    if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
    console.warn(`SKIPPING: ${reason}`);
    return { available: false, reason };
  }
}
