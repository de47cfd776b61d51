/**
 * The example's server: the Live service over the ws transport, and the page on the same port
 * (`ws.onRequest`), so the page calls its own origin. The page's script is bundled with esbuild
 * when the server starts.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from '@weft/rpc';
import { build } from 'esbuild';
import { Live } from './contract.js';
import { Room } from './room.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** A running example server. */
export interface LiveServer {
  server: Server;
  room: Room;
  /** Where a browser opens the page. */
  url: string;
  close(): Promise<void>;
}

/** The page's script: `src/page/main.ts` and what it imports, bundled for the browser. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [`${root}src/page/main.ts`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Start the server on `host:port` (default 127.0.0.1, any free port). */
export async function startLive(options: { host?: string; port?: number } = {}): Promise<LiveServer> {
  const [script, html] = await Promise.all([bundlePage(), readFile(`${root}public/index.html`)]);
  const room = new Room();
  const server = createServer();
  server.add(Live, {
    async *counter(req, ctx) {
      const everyMs = Math.max(100, req.everyMs ?? 1000);
      for (let n = 1; !ctx.cancelled; n++) {
        yield { n, at: Date.now() };
        await sleep(everyMs, ctx.signal);
      }
    },
    chat: (said, ctx) => room.join(said, ctx),
  });
  const host = options.host ?? '127.0.0.1';
  const { port } = await server.listen({
    transport: 'ws',
    host,
    port: options.port ?? 0,
    ws: {
      onRequest(req, res) {
        if (req.method !== 'GET') res.writeHead(405).end();
        else if (req.url === '/')
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
        else if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        else res.writeHead(404).end();
      },
    },
  });
  return {
    server,
    room,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: () => server.close({ graceMs: 1000 }),
  };
}
