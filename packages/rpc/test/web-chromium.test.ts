/**
 * `@weft/rpc/web` in a real browser: headless Chromium (Debian's, driven by playwright-core) loads
 * a page from a Weft server's ws listener (`ListenOptions.ws.onRequest`) and calls that server
 * through the native WebSocket — the four call shapes, a cancelled stream, a deadline, a 1 MiB
 * message, a slow reader, status details, gzip both ways, reconnection after Goaway — while the
 * server records what it sees.
 */
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../../test/chromium.js';
import { createServer, errorDetails, RpcError, type Server, Status } from '../src/index.js';
import { eventually, sleep } from './fixtures.js';
import { WebTest } from './web/contract.js';

const HTML =
  '<!doctype html><meta charset="utf-8"><title>weft web test</title><script type="module" src="/page.js"></script>';

/** What the server saw. */
const seen = {
  metadata: [] as { token: unknown; bin: unknown }[],
  aborted: [] as string[],
  produced: 0,
  compressedRequests: 0,
  peers: new Set<string>(),
};

/** A server of WebTest that also serves the page. */
async function startServer(
  script: string,
  maxConnectionAgeMs?: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer(maxConnectionAgeMs === undefined ? {} : { maxConnectionAgeMs });
  server.add(WebTest, {
    echo: (req, ctx) => {
      seen.peers.add(ctx.peer);
      if (req.text === 'héllo')
        seen.metadata.push({
          token: ctx.metadata.get('x-token'),
          bin: Array.from(ctx.metadata.get('x-bin') as Uint8Array),
        });
      if (ctx.requestCompressed) seen.compressedRequests++;
      if (req.n === 1) ctx.setCompression(true);
      ctx.setHeader('x-header', 'h');
      ctx.setTrailer('x-trailer', 't');
      return req;
    },
    async *count(req) {
      for (let i = 0; i < (req.n ?? 0); i++) yield { n: i };
    },
    async sum(reqs) {
      let n = 0;
      for await (const r of reqs) n += r.n ?? 0;
      return { n };
    },
    async *chat(reqs) {
      for await (const r of reqs) yield r;
    },
    fail: (req) => {
      throw new RpcError(req.code as Status, req.text ?? '', {
        details: [errorDetails.errorInfo({ reason: 'BUSY', domain: 'weft.test', metadata: { why: 'test' } })],
      });
    },
    sleep: async (req, ctx) => {
      ctx.signal.addEventListener('abort', () => seen.aborted.push('sleep'));
      await sleep(req.sleepMs ?? 0, ctx.signal);
      return {};
    },
    async *ticks(req, ctx) {
      ctx.signal.addEventListener('abort', () => seen.aborted.push('ticks'));
      for (let i = 0; !ctx.cancelled; i++) {
        yield { n: i };
        await sleep(req.sleepMs ?? 10, ctx.signal);
      }
    },
    async *flood(req) {
      for (let i = 0; i < (req.n ?? 0); i++) {
        seen.produced++;
        yield { n: i, bytes: new Uint8Array(req.size ?? 0) };
      }
    },
  });
  const { port } = await server.listen({
    transport: 'ws',
    ws: {
      onRequest: (req, res) => {
        if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(HTML);
        else res.writeHead(404).end();
      },
    },
  });
  return { server, port };
}

describe.skipIf(!chromiumAvailable())('@weft/rpc/web in headless Chromium', () => {
  let script: string;
  let browser: Browser;
  let server: Server;
  let tab: Page;
  const pageErrors: string[] = [];

  /** Run one of the page's scenarios. */
  const run = (name: string) =>
    tab.evaluate(
      (n) => (globalThis as unknown as { weft: Record<string, () => Promise<unknown>> }).weft[n]!(),
      name,
    );

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [new URL('./web/page.ts', import.meta.url).pathname],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    script = bundle.outputFiles[0]!.text;
    let port: number;
    ({ server, port } = await startServer(script));
    browser = await launchChromium();
    tab = await browser.newPage();
    tab.on('pageerror', (err) => pageErrors.push(err.message));
    await tab.goto(`http://127.0.0.1:${port}/`);
    await tab.waitForFunction(() => (globalThis as { weft?: unknown }).weft !== undefined, undefined, {
      timeout: 20_000,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close({ graceMs: 100 });
    expect(pageErrors).toEqual([]);
  });

  it('unary, with metadata both ways', async () => {
    expect(await run('unary')).toEqual({ res: { text: 'héllo', n: 7 }, header: 'h', trailer: 't' });
    expect(seen.metadata).toEqual([{ token: 'abc', bin: [0, 255] }]);
  });

  it('server streaming, client streaming and bidi', async () => {
    expect(await run('serverStream')).toEqual([...Array(100).keys()]);
    expect(await run('clientStream')).toEqual({ n: 5050 });
    expect(await run('bidi')).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it('a stream cancelled with an AbortSignal ends on the server too', async () => {
    const { got, error } = (await run('cancel')) as { got: number; error: { code: number } };
    expect(got).toBe(3);
    expect(error.code).toBe(Status.CANCELLED);
    await eventually(() => seen.aborted.includes('ticks'));
    expect(server.activeCalls).toBe(0);
  });

  it('a deadline fails the call in the page and aborts the handler', async () => {
    const { error, ms } = (await run('deadline')) as { error: { code: number }; ms: number };
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(3000);
    await eventually(() => seen.aborted.includes('sleep'));
  });

  it('a 1 MiB message both ways', async () => {
    expect(await run('big')).toEqual({ length: 1024 * 1024, same: true });
  });

  it('a slow reader in the page holds the server back', async () => {
    seen.produced = 0;
    expect(await run('slowReader')).toBe(5);
    // 2,000 × 64 KiB were on offer; the per-call window and socket buffers bound what was made.
    expect(seen.produced).toBeGreaterThan(5);
    expect(seen.produced * 64 * 1024).toBeLessThan(16 * 1024 * 1024);
    await eventually(() => server.activeCalls === 0);
  });

  it('status, message and details', async () => {
    expect(await run('fail')).toEqual({
      code: Status.FAILED_PRECONDITION,
      message: 'not now',
      details: [
        { type: 'google.rpc.ErrorInfo', reason: 'BUSY', domain: 'weft.test', metadata: { why: 'test' } },
      ],
    });
  });

  it('gzip both ways, with the browser’s CompressionStream', async () => {
    const before = seen.compressedRequests;
    expect(await run('gzip')).toEqual({ same: true, compressed: [true] });
    expect(seen.compressedRequests).toBe(before + 1);
  });

  it('200 calls at once', async () => {
    expect(await run('many')).toBe(true);
  });

  it('reconnects after the server closes its connection (max connection age)', async () => {
    const aged = await startServer(script, 300);
    try {
      const tab2 = await browser.newPage();
      tab2.on('pageerror', (err) => pageErrors.push(err.message));
      await tab2.goto(`http://127.0.0.1:${aged.port}/`);
      await tab2.waitForFunction(() => (globalThis as { weft?: unknown }).weft !== undefined);
      seen.peers.clear();
      const ok = await tab2.evaluate(() =>
        (globalThis as unknown as { weft: { reconnect(): Promise<number> } }).weft.reconnect(),
      );
      expect(ok).toBe(30);
      // About 1.5 s of calls over connections that live ~300 ms each.
      expect(seen.peers.size).toBeGreaterThanOrEqual(3);
      await tab2.close();
    } finally {
      await aged.server.close({ graceMs: 100 });
    }
  });
});
