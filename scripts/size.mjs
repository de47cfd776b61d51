/**
 * What each browser-facing entry costs a page: bundled for the browser and minified with esbuild,
 * then gzipped. `npm run size` prints the table; the packaging tests use `measureSizes()` to check
 * that every entry bundles for a browser without Node's modules.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The browser client's size budget, gzipped (a service with msgpack). */
export const WEB_CLIENT_BUDGET_BYTES = 25 * 1024;

/** What a page imports, one entry each. */
export const ENTRIES = {
  '@weft/framing': `export * from '@weft/framing';`,
  '@weft/mux (core)': `export * from '@weft/mux';`,
  '@weft/ws (core)': `export * from '@weft/ws';`,
  '@weft/rpc/web, a msgpack service': `
    import { createClient, defineService, unary, serverStream, clientStream, bidiStream } from '@weft/rpc/web';
    const Demo = defineService('demo.Demo', {
      get: unary(), watch: serverStream(), upload: clientStream(), chat: bidiStream(),
    });
    export const client = createClient(Demo, { target: 'ws://localhost:7000' });`,
};

/**
 * Bundle, minify and gzip every entry. Code split off for dynamic import (the protobuf runtime,
 * which a msgpack page never loads) is counted apart, as `lazyBytes`.
 * @returns per entry: the minified and gzipped bytes loaded at start, the lazy bytes, and the
 *   bundled input files.
 */
export async function measureSizes() {
  const sizes = [];
  // Entries are files (esbuild splits code only from file entry points), outside the repository.
  const dir = mkdtempSync(join(tmpdir(), 'weft-size-'));
  try {
    for (const [name, contents] of Object.entries(ENTRIES)) sizes.push(await measure(name, contents, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return sizes;
}

async function measure(name, contents, dir) {
  const entry = join(dir, 'page-entry.js');
  writeFileSync(entry, contents);
  const result = await build({
    entryPoints: [entry],
    nodePaths: [join(root, 'node_modules')],
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    outdir: 'out',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  let minBytes = 0;
  let gzipBytes = 0;
  let lazyBytes = 0;
  const inputs = [];
  for (const file of result.outputFiles) {
    const [, meta] = Object.entries(result.metafile.outputs).find(([k]) => file.path.endsWith(k));
    const gzipped = gzipSync(file.contents, { level: 9 }).byteLength;
    // Dynamic imports are entry points of their own to esbuild: only the page's entry loads at start.
    if (meta.entryPoint?.endsWith('page-entry.js')) {
      minBytes += file.contents.byteLength;
      gzipBytes += gzipped;
      inputs.push(...Object.keys(meta.inputs));
    } else {
      lazyBytes += gzipped;
    }
  }
  return { name, minBytes, gzipBytes, lazyBytes, inputs };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await measureSizes();
  console.log('entry                               minified    gzipped   lazy (gzipped)');
  for (const s of sizes) {
    console.log(
      `${s.name.padEnd(36)}${kb(s.minBytes).padStart(8)}${kb(s.gzipBytes).padStart(11)}${(s.lazyBytes === 0 ? '' : kb(s.lazyBytes)).padStart(17)}`,
    );
  }
  const web = sizes.find((s) => s.name.startsWith('@weft/rpc/web'));
  const verdict = web.gzipBytes <= WEB_CLIENT_BUDGET_BYTES ? 'within' : 'over';
  console.log(
    `\nthe browser client is ${kb(web.gzipBytes)} gzipped, ${verdict} its budget of ${kb(WEB_CLIENT_BUDGET_BYTES)}`,
  );
}
