/**
 * The call layer's gzip comes from the runtime adapter: without one it fails with a coded error
 * rather than a crash, and the Node adapter provides it on import (as createClient/createServer do);
 * a gzip that fails fails its call.
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

it('a request that fails to compress fails its call (INTERNAL), rather than leaving it to its deadline', async () => {
  const { createClient } = await import('../src/index.js');
  const { provideGzip } = await import('../src/compression.js');
  const { startTestServer, Test } = await import('./fixtures.js');
  const { server } = startTestServer();
  const { port } = await server.listen({ transport: 'ws' });
  // This file's own process: the broken gzip reaches no other test.
  provideGzip({
    compress: () => Promise.reject(new Error('no memory')),
    decompress: () => Promise.reject(new Error('no memory')),
  });
  const client = createClient(Test, { target: `127.0.0.1:${port}`, transport: 'ws' });
  try {
    const started = Date.now();
    const err = await client.echo({ text: 'x' }, { compress: true, timeoutMs: 5000 }).catch((e) => e);
    expect(err).toMatchObject({ code: 13, message: 'could not gzip the request' });
    expect(Date.now() - started).toBeLessThan(1000);
  } finally {
    client.close();
    await server.close({ graceMs: 0 });
  }
});
