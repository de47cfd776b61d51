/**
 * The typed events of MuxSession and MuxStream: a listener of a listed event gets its arguments'
 * types (the `expectTypeOf` lines fail the typecheck otherwise), and they arrive so.
 */
import type { AddressInfo } from 'node:net';
import { expect, expectTypeOf, it } from 'vitest';
import { connect, createServer, type HeaderObject, type MuxStream } from '../../src/node/index.js';

it('stream, response, trailers and data listeners get the typed arguments', async () => {
  const server = createServer({});
  server.on('session', (session) =>
    session.on('stream', (stream, headers) => {
      expectTypeOf(stream).toEqualTypeOf<MuxStream>();
      expectTypeOf(headers).toEqualTypeOf<HeaderObject>();
      stream.respond({ ':status': 200 });
      stream.end(String(headers[':path']));
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const settings = new Promise((r) => session.once('remoteSettings', r)); // any listener still fits
  const req = session.request({ ':path': '/typed' }, { endStream: true });
  const status = new Promise<number | string | string[] | undefined>((resolve) =>
    req.on('response', (headers) => {
      expectTypeOf(headers).toEqualTypeOf<HeaderObject>();
      resolve(headers[':status']);
    }),
  );
  const chunks: string[] = [];
  req.on('data', (chunk) => {
    expectTypeOf(chunk).toEqualTypeOf<Buffer>();
    chunks.push(chunk.toString());
  });
  await new Promise((r) => req.once('end', r));
  expect(await status).toBe('200');
  expect(chunks.join('')).toBe('/typed');
  expect(await settings).toBeTypeOf('object');
  await session.close();
  await new Promise((r) => server.close(r));
});
