/**
 * The browser-facing entries as a page bundles them: esbuild for `platform: 'browser'` fails on any
 * `node:` module, so each entry building at all shows its graph is free of Node; what loads at
 * start must not hold a Node adapter, the protobuf runtime must stay lazy for a msgpack page, and
 * plain MessagePack comes from the compact engine (the `browser` condition of `#msgpack-plain`), not msgpackr.
 */
import { describe, expect, it } from 'vitest';
import { measureSizes } from '../scripts/size.mjs';

describe('browser bundles', () => {
  it('bundle for the browser without Node modules; protobuf loads only on demand', async () => {
    const sizes = await measureSizes();
    expect(sizes.map((s) => s.name)).toEqual([
      '@weft/framing',
      '@weft/mux (core)',
      '@weft/ws (core)',
      '@weft/rpc/web, a msgpack service',
    ]);
    for (const s of sizes) {
      expect(
        s.inputs.filter((i) => i.includes('/dist/node/')),
        s.name,
      ).toEqual([]);
      expect(s.gzipBytes, s.name).toBeGreaterThan(1000);
    }
    const web = sizes[3]!;
    expect(web.inputs.some((i) => i.includes('packages/rpc/dist/web/create-client.js'))).toBe(true);
    expect(web.inputs.filter((i) => i.includes('@bufbuild/protobuf'))).toEqual([]);
    expect(web.inputs.filter((i) => i.includes('msgpackr'))).toEqual([]);
    expect(web.inputs.some((i) => i.includes('packages/rpc/dist/msgpack/plain-web.js'))).toBe(true);
    expect(web.inputs.some((i) => i.includes('packages/rpc/dist/msgpack/plain.js'))).toBe(false);
    expect(web.lazyBytes).toBeGreaterThan(0);
  });
});
