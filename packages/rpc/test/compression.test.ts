/**
 * The call layer's gzip comes from the runtime adapter: without one it fails with a coded error
 * rather than a crash, and the Node adapter provides it on import (as createClient/createServer do).
 */
import { expect, it } from 'vitest';

it('without a runtime adapter, gzip rejects with UNIMPLEMENTED', async () => {
  // Only the core module: nothing in this file's module graph has imported src/node/gzip.ts yet.
  const { gzip } = await import('../src/compression.js');
  await expect(gzip(new Uint8Array(4))).rejects.toMatchObject({ code: 12, message: /no runtime adapter/ });
});

it('the Node adapter provides it: a round trip, and the inflate limit', async () => {
  await import('../src/node/gzip.js');
  const { gunzip, gzip } = await import('../src/compression.js');
  const bytes = new Uint8Array(10_000).fill(7);
  const packed = await gzip(bytes);
  expect(packed.length).toBeLessThan(200);
  expect(new Uint8Array(await gunzip(packed, 10_000))).toEqual(bytes);
  await expect(gunzip(packed, 9_999)).rejects.toMatchObject({ code: 8 });
});
