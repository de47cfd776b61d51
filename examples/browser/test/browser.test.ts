/**
 * The browser example as a user meets it: `npm start` serves the page and stops on Ctrl-C; in
 * headless Chromium the counter counts, two tabs chat through the server, and a reader that does
 * not read is dropped by the room without harm to the others. `WEFT_SCREENSHOT=path` keeps a
 * screenshot of the page (docs/browser-example.png is made so).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../../test/chromium.js';
import { MAX_BACKLOG } from '../dist/room.js';
import { startLive } from '../dist/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What the page functions below read of the page's DOM (they run in the browser). */
type Doc = { document: { getElementById(id: string): { textContent: string | null } | null } };

describe('examples/browser', () => {
  it('npm start serves the page, and stops on SIGINT', async () => {
    // `npm test` has built it (tsc -b); `npm start` would build it first.
    const child = spawn(process.execPath, ['dist/main.js', '--port', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8');
        child.stdout.once('data', (chunk: string) => resolve(chunk));
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const url = /^open (http:\/\/127\.0\.0\.1:\d+\/) /.exec(line)?.[1];
      expect(url, line).toBeDefined();
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="/app.js">');
      const script = await fetch(`${url}app.js`);
      expect(script.headers.get('content-type')).toBe('text/javascript');
      expect((await script.text()).length).toBeGreaterThan(10_000);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it.skipIf(!chromiumAvailable())('in Chromium: the counter counts and two tabs chat', async () => {
    const live = await startLive();
    const browser = await launchChromium();
    try {
      const errors: string[] = [];
      const [ada, bob] = [await browser.newPage(), await browser.newPage()];
      for (const tab of [ada, bob]) {
        tab.on('pageerror', (err) => errors.push(err.message));
        await tab.setViewportSize({ width: 760, height: 640 });
        await tab.goto(live.url);
      }
      await ada.waitForFunction(
        () => Number((globalThis as unknown as Doc).document.getElementById('counter')?.textContent) >= 2,
        undefined,
        {
          timeout: 10_000,
        },
      );
      await ada.fill('#user', 'ada');
      await bob.fill('#user', 'bob');
      // Both are in the room before anyone speaks.
      await ada.waitForFunction(
        () =>
          (globalThis as unknown as Doc).document.getElementById('chat-status')?.textContent ===
          'in the room',
      );
      await bob.waitForFunction(
        () =>
          (globalThis as unknown as Doc).document.getElementById('chat-status')?.textContent ===
          'in the room',
      );
      await expect.poll(() => live.room.size).toBe(2);
      await ada.fill('#text', 'hello from ada');
      await ada.press('#text', 'Enter');
      await bob.waitForSelector('#lines li:has-text("ada: hello from ada")', { timeout: 5000 });
      await bob.fill('#text', 'hi ada, bob here');
      await bob.click('button');
      await ada.waitForSelector('#lines li:has-text("bob: hi ada, bob here")', { timeout: 5000 });
      const lines = await ada.$$eval('#lines li', (items) => items.map((li) => li.textContent));
      expect(lines).toEqual(['ada: hello from ada', 'bob: hi ada, bob here']);
      expect(errors).toEqual([]);
      const shot = await ada.screenshot({ fullPage: true });
      expect(shot.subarray(1, 4).toString()).toBe('PNG');
      if (process.env.WEFT_SCREENSHOT !== undefined) writeFileSync(process.env.WEFT_SCREENSHOT, shot);
    } finally {
      await browser.close();
      await live.close();
    }
  });

  it('a member who does not read is dropped, the room goes on', async () => {
    const { createClient, Status } = await import('@weft/rpc');
    const { Live } = await import('../dist/contract.js');
    const live = await startLive();
    const client = createClient(Live, { target: new URL(live.url).host, transport: 'ws' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const lines = MAX_BACKLOG + 50;
    try {
      // A member that stays in the room and does not read its stream.
      const listener = client.chat(
        (async function* (): AsyncGenerator<{ user: string; text: string }> {
          await held;
          yield* [];
        })(),
      );
      await expect.poll(() => live.room.size).toBe(1);
      const talker = client.chat(
        (async function* () {
          for (let i = 0; i < lines; i++) yield { user: 'talker', text: `line ${i}` };
          await held;
        })(),
      );
      // The talker reads, and gets every line it said.
      let heard = 0;
      for await (const _ of talker) if (++heard === lines) break;
      expect(heard).toBe(lines);
      // The listener reads now: what the transport held for it, then the room's verdict.
      let got = 0;
      const err = await (async () => {
        try {
          for await (const _ of listener) got++;
        } catch (e) {
          return e;
        }
      })();
      expect(err).toMatchObject({
        code: Status.RESOURCE_EXHAUSTED,
        message: `more than ${MAX_BACKLOG} unread lines`,
      });
      expect(got).toBeLessThan(lines);
      await expect.poll(() => live.room.size).toBe(0);
    } finally {
      release();
      client.close();
      await live.close();
    }
  });
});
