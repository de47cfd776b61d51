/**
 * Headless Chromium for the browser tests: Debian's `chromium` (which `.ci/run` installs), driven by
 * playwright-core, which never downloads a browser of its own.
 */
import { execFileSync } from 'node:child_process';
import { type Browser, chromium } from 'playwright-core';

/**
 * Whether Chromium is installed. Without it a test is skipped with a warning — except under
 * `CI=true`, where a missing browser is a failure.
 */
export function chromiumAvailable(): boolean {
  try {
    execFileSync('which', ['chromium'], { stdio: 'ignore' });
    return true;
  } catch {
    const reason = 'chromium is not installed (Debian: apt-get install chromium); .ci/run installs it';
    if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
    console.warn(`SKIPPING: ${reason}`);
    return false;
  }
}

/** Start a headless Chromium (no sandbox: CI runs as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
