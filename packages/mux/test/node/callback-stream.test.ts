/** CallbackStream: streams driven by callbacks, against node:http2 in both directions. */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/frame/types.js';
import {
  type CallbackStream,
  connect,
  createServer,
  type HeaderList,
  headerValue,
  type MuxSession,
  type StreamCallbacks,
  toObject,
} from '../../src/node/index.js';

const body = (n: number, seed = 1) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

/** Echo on a CallbackStream: respond, write back what arrives (pausing while the echo is backed up), trailers at the end. */
function echo(stream: CallbackStream, fields: HeaderList): StreamCallbacks {
  const headers = toObject(fields);
  if (headers[':path'] === '/reset') {
    stream.close(ErrorCode.RefusedStream);
    return {};
  }
  if (headers[':path'] === '/paused') {
    // Never reads: holds every byte's credit.
    stream.pause();
    stream.respond({ ':status': 200 });
    let n = 0;
    return {
      onData: (c) => {
        n += c.length;
        pausedReceived = n;
      },
    };
  }
  stream.respond({ ':status': 200, 'x-path': headers[':path'] as string });
  let n = 0;
  return {
    onData(chunk) {
      n += chunk.length;
      // The chunk is a view of the socket's read (fresh memory each read): written back as it is.
      if (!stream.write(chunk)) stream.pause();
    },
    onDrain: () => stream.resume(),
    onEnd: () => stream.end({ 'x-length': String(n) }),
  };
}
let pausedReceived = 0;

describe('CallbackStream server (onRequest) <- node:http2 client', () => {
  let server: ReturnType<typeof createServer>;
  let url: string;
  beforeAll(async () => {
    server = createServer({ onRequest: echo, streamHighWaterMark: 256 * 1024 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('echoes 0 B to 4 MiB byte for byte with trailers on 100 concurrent streams', async () => {
    const client = http2.connect(url);
    try {
      const sizes = Array.from({ length: 100 }, (_, i) => (i === 0 ? 4 << 20 : i % 10 === 0 ? 100_000 : i));
      await Promise.all(
        sizes.map(
          (size, i) =>
            new Promise<void>((resolve, reject) => {
              const req = client.request({ ':method': 'POST', ':path': `/echo/${i}` });
              const chunks: Buffer[] = [];
              let trailer = '';
              req.on('response', (h) => expect(h['x-path']).toBe(`/echo/${i}`));
              req.on('data', (c: Buffer) => chunks.push(c));
              req.on('trailers', (t) => {
                trailer = String(t['x-length']);
              });
              req.on('end', () => {
                try {
                  expect(Buffer.concat(chunks).equals(body(size, i))).toBe(true);
                  expect(trailer).toBe(String(size));
                  resolve();
                } catch (err) {
                  reject(err);
                }
              });
              req.on('error', reject);
              req.end(body(size, i));
            }),
        ),
      );
    } finally {
      client.close();
    }
  });

  it('a paused stream returns no credit: the sender stops at the initial window', async () => {
    pausedReceived = 0;
    const client = http2.connect(url);
    try {
      const req = client.request({ ':method': 'POST', ':path': '/paused' });
      req.on('error', () => {});
      req.write(body(1 << 20));
      await new Promise((r) => setTimeout(r, 300));
      expect(pausedReceived).toBeGreaterThan(0);
      expect(pausedReceived).toBeLessThanOrEqual(65_535);
      req.close();
    } finally {
      client.close();
    }
  });

  it('a stream the server resets reaches the client as RST_STREAM with its code', async () => {
    const client = http2.connect(url);
    try {
      const req = client.request({ ':method': 'GET', ':path': '/reset' });
      req.on('error', () => {});
      const code = await new Promise((r) => req.on('close', () => r(req.rstCode)));
      expect(code).toBe(ErrorCode.RefusedStream);
    } finally {
      client.close();
    }
  });
});

describe('CallbackStream client -> node:http2 server', () => {
  let server: http2.Http2Server;
  let url: string;
  let serverResets: number[] = [];
  beforeAll(async () => {
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      stream.on('close', () => {
        if (stream.rstCode !== 0) serverResets.push(stream.rstCode);
      });
      if (headers[':path'] === '/cancel') {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        return;
      }
      if (headers[':path'] === '/hang') return;
      if (headers[':path'] === '/headers') {
        // Answers with the request's headers as JSON.
        stream.respond({ ':status': 200 });
        stream.end(JSON.stringify(headers));
        return;
      }
      stream.respond({ ':status': 200 }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-done': 'yes' }));
      stream.pipe(stream);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** One echo exchange over a callback stream; resolves with what the callbacks saw. */
  function exchange(session: MuxSession, path: string | HeaderList, payload: Buffer) {
    return new Promise<{
      status: string;
      data: Buffer;
      trailers: string;
      ended: boolean;
      err: Error | undefined;
    }>((resolve) => {
      const chunks: Buffer[] = [];
      let status = '';
      let trailers = '';
      let ended = false;
      let pending: Buffer | undefined = payload;
      const stream = session.request(typeof path === 'string' ? { ':method': 'POST', ':path': path } : path, {
        callbacks: {
          onHeaders(h, kind) {
            if (kind === 'response') status = String(headerValue(h, ':status'));
            if (kind === 'trailers') trailers = String(headerValue(h, 'x-done'));
          },
          onData: (c) => chunks.push(Buffer.from(c)),
          onEnd: () => {
            ended = true;
          },
          onDrain: () => send(),
          onClose: (err) => resolve({ status, data: Buffer.concat(chunks), trailers, ended, err }),
        },
      });
      // Writes in 64 KiB pieces while the stream takes them; onDrain continues.
      const send = () => {
        while (pending !== undefined) {
          const piece = pending.subarray(0, 65_536);
          pending = pending.length > piece.length ? pending.subarray(piece.length) : undefined;
          if (!stream.write(piece, pending === undefined)) return;
        }
      };
      send();
    });
  }

  it('echoes 0 B to 2 MiB on 100 concurrent streams, with backpressure, trailers, onEnd then onClose', async () => {
    const session = connect(url, { streamHighWaterMark: 128 * 1024 });
    try {
      const sizes = Array.from({ length: 100 }, (_, i) => (i === 0 ? 2 << 20 : i * 97));
      const results = await Promise.all(sizes.map((n, i) => exchange(session, `/echo/${i}`, body(n, i))));
      for (const [i, r] of results.entries()) {
        expect(r.err).toBeUndefined();
        expect(r.status).toBe('200');
        expect(r.data.equals(body(sizes[i]!, i))).toBe(true);
        expect(r.trailers).toBe('yes');
        expect(r.ended).toBe(true);
      }
    } finally {
      session.destroy();
    }
  });

  it('a reset by the peer closes with its code; our reset reaches the peer; writes after the end throw', async () => {
    const session = connect(url);
    try {
      const reset = await exchange(session, '/cancel', Buffer.alloc(0));
      expect((reset.err as { code?: string }).code).toBe('MUX_ERR_STREAM_RESET');

      serverResets = [];
      let closed: Error | undefined | null = null;
      const stream = session.request(
        { ':method': 'POST', ':path': '/hang' },
        { callbacks: { onClose: (err) => (closed = err) } },
      );
      stream.write(Buffer.from('x'));
      stream.close(ErrorCode.Cancel);
      expect(closed).toBeUndefined(); // reported at once, not as an error
      expect(stream.rstCode).toBe(ErrorCode.Cancel);
      await expect.poll(() => serverResets).toEqual([http2.constants.NGHTTP2_CANCEL]);
      expect(() => stream.write(Buffer.from('y'))).toThrow(
        expect.objectContaining({ code: 'MUX_ERR_INVALID_STATE' }),
      );

      const ended = session.request(
        { ':method': 'GET', ':path': '/hang' },
        { endStream: true, callbacks: {} },
      );
      expect(ended.ended).toBe(true);
      expect(() => ended.end()).toThrow(expect.objectContaining({ code: 'MUX_ERR_INVALID_STATE' }));
    } finally {
      session.destroy();
    }
  });

  it('a request given as a field list goes as it is, with :scheme and :authority added', async () => {
    const session = connect(url);
    try {
      const list: HeaderList = [
        [':method', 'POST'],
        [':path', '/headers'],
        ['x-a', '1'],
        ['x-a', '2'],
      ];
      const sent = await exchange(session, list, Buffer.alloc(0));
      const seen = JSON.parse(sent.data.toString());
      expect(seen).toMatchObject({
        ':method': 'POST',
        ':path': '/headers',
        ':scheme': 'http',
        'x-a': '1, 2',
      });
      expect(seen[':authority']).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      session.destroy();
    }
  });

  it('a peer that never opens its window: the stream is reset and closes with MUX_ERR_TIMEOUT', async () => {
    const session = connect(url, { sendStallTimeoutMs: 300, streamHighWaterMark: 256 * 1024 });
    try {
      const chunk = Buffer.alloc(64 * 1024);
      let written = 0;
      const closed = new Promise<Error | undefined>((resolve) => {
        const stream: CallbackStream = session.request(
          { ':method': 'POST', ':path': '/hang' },
          { callbacks: { onDrain: () => pump(), onClose: resolve } },
        );
        // Writes while the stream takes them; the server reads nothing, so its window stays shut.
        const pump = () => {
          while (!stream.closed && written < 8 << 20) {
            written += chunk.length;
            if (!stream.write(chunk)) return;
          }
        };
        pump();
      });
      const started = Date.now();
      const err = (await closed) as Error & { code?: string };
      expect(err.code).toBe('MUX_ERR_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(written).toBeLessThan(8 << 20); // backpressure held the writer back
    } finally {
      session.destroy();
    }
  });

  it('a destroyed session closes its callback streams with the error', async () => {
    const session = connect(url);
    const errors: (Error | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      session.request(
        { ':method': 'POST', ':path': '/hang' },
        { callbacks: { onClose: (e) => errors.push(e) } },
      );
    }
    session.destroy();
    expect(errors.map((e) => (e as { code?: string } | undefined)?.code)).toEqual([
      'MUX_ERR_CANCEL',
      'MUX_ERR_CANCEL',
      'MUX_ERR_CANCEL',
    ]);
  });
});
