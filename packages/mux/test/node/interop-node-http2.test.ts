/** Interop with node:http2, both directions, on loopback. */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type MuxStream } from '../../src/node/index.js';

const body = (n: number, seed = 1) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

describe('node:http2 client -> weft server', () => {
  let server: ReturnType<typeof createServer>;
  let url: string;
  beforeAll(async () => {
    server = createServer({}, (stream: MuxStream, headers) => {
      if (headers[':path'] === '/reset') {
        stream.close(0x8);
        return;
      }
      // Echo: status, the request body, and a trailer with its length.
      stream.respond({ ':status': 200, 'x-path': headers[':path'] as string }, {});
      let n = 0;
      stream.on('data', (c: Buffer) => {
        n += c.length;
        stream.write(c);
      });
      stream.on('end', () => stream.sendTrailers({ 'x-length': String(n) }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('echoes bodies from 0 B to 4 MiB byte for byte, with trailers, on 200 concurrent streams', async () => {
    const client = http2.connect(url);
    try {
      const sizes = Array.from({ length: 200 }, (_, i) => (i === 0 ? 4 << 20 : i % 10 === 0 ? 100_000 : i));
      const results = await Promise.all(
        sizes.map(
          (size, i) =>
            new Promise<void>((resolve, reject) => {
              const req = client.request({ ':method': 'POST', ':path': `/echo/${i}` });
              const payload = body(size, i);
              let status = 0;
              let trailer = '';
              req.on('response', (h) => {
                status = Number(h[':status']);
                expect(h['x-path']).toBe(`/echo/${i}`);
              });
              req.on('trailers', (t) => {
                trailer = String(t['x-length']);
              });
              req.on('error', reject);
              readAll(req).then((got) => {
                try {
                  expect(status).toBe(200);
                  expect(got.equals(payload)).toBe(true);
                  expect(trailer).toBe(String(size));
                  resolve();
                } catch (e) {
                  reject(e);
                }
              }, reject);
              req.end(payload);
            }),
        ),
      );
      expect(results).toHaveLength(200);
    } finally {
      client.close();
    }
  });

  it('a stream reset by the server reaches the node:http2 client as an RST_STREAM code', async () => {
    const client = http2.connect(url);
    try {
      const req = client.request({ ':path': '/reset' });
      req.end();
      const code = await new Promise<number>((resolve) => req.on('close', () => resolve(req.rstCode)));
      expect(code).toBe(0x8);
    } finally {
      client.close();
    }
  });
});

describe('weft client -> node:http2 server', () => {
  let server: http2.Http2Server;
  let port: number;
  beforeAll(async () => {
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      if (headers[':path'] === '/reset') {
        // node:http2 reports its own reset as an 'error' on its stream.
        stream.on('error', () => {});
        stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      stream.respond(
        { ':status': 200, 'content-type': 'application/octet-stream' },
        { waitForTrailers: true },
      );
      let n = 0;
      stream.on('data', (c: Buffer) => {
        n += c.length;
        stream.write(c);
      });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-length': String(n) }));
      stream.on('end', () => stream.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('echoes bodies byte for byte with trailers on 200 concurrent streams', async () => {
    const session = connect({ host: '127.0.0.1', port });
    try {
      const sizes = Array.from({ length: 200 }, (_, i) => (i === 0 ? 4 << 20 : i % 10 === 0 ? 100_000 : i));
      await Promise.all(
        sizes.map(async (size, i) => {
          const req = session.request({
            ':method': 'POST',
            ':path': `/echo/${i}`,
            ':authority': `127.0.0.1:${port}`,
          });
          const payload = body(size, i);
          const response = new Promise<Record<string, string | string[]>>((r) => req.once('response', r));
          const trailers = new Promise<Record<string, string | string[]>>((r) => req.once('trailers', r));
          req.end(payload);
          const got = await readAll(req);
          expect((await response)[':status']).toBe('200');
          expect(got.equals(payload)).toBe(true);
          expect((await trailers)['x-length']).toBe(String(size));
        }),
      );
    } finally {
      await session.close();
    }
  });

  it('PING measures a round trip', async () => {
    const session = connect({ host: '127.0.0.1', port });
    try {
      const rtt = await session.ping();
      expect(rtt).toBeGreaterThan(0);
      expect(rtt).toBeLessThan(5000);
    } finally {
      await session.close();
    }
  });

  it('a stream refused by the server is reported retryable', async () => {
    const session = connect({ host: '127.0.0.1', port });
    try {
      const req = session.request({ ':path': '/reset' }, { endStream: true });
      const err = await new Promise<Error & { code?: string }>((resolve) => req.on('error', resolve));
      expect(err.code).toBe('MUX_ERR_REFUSED_STREAM');
      expect(req.retryable).toBe(true);
    } finally {
      await session.close();
    }
  });
});
