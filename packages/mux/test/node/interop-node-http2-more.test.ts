/** More node:http2 interop: large header blocks (CONTINUATION) both ways, GOAWAY during load. */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect, createServer, type MuxSession, type MuxStream } from '../../src/node/index.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString();
}

const big = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');

describe('large header blocks', () => {
  it('node:http2 client -> weft server: a 40 KB header value arrives whole (CONTINUATION from nghttp2)', async () => {
    const server = createServer({}, (stream: MuxStream, headers) => {
      stream.respond({ ':status': 200, 'x-len': String((headers['x-big'] as string).length) });
      stream.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const req = client.request({ ':path': '/', 'x-big': big(40_000) }, { endStream: true });
      const h = await new Promise<http2.IncomingHttpHeaders>((r) => req.once('response', r));
      expect(h['x-len']).toBe('40000');
      req.resume();
    } finally {
      client.close();
      server.close();
    }
  });

  it('weft client -> node:http2 server: a 40 KB header value (our CONTINUATION frames)', async () => {
    const server = http2.createServer({ maxHeaderListSize: 1 << 20 } as http2.ServerOptions);
    server.on('stream', (stream, headers) => {
      stream.respond({
        ':status': 200,
        'x-len': String((headers['x-big'] as string).length),
        'x-back': big(30_000),
      });
      stream.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const session = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    try {
      const req = session.request({ ':path': '/', 'x-big': big(40_000) }, { endStream: true });
      const h = await new Promise<Record<string, string | string[]>>((r) => req.once('response', r));
      expect(h['x-len']).toBe('40000');
      expect((h['x-back'] as string).length).toBe(30_000);
      req.resume();
    } finally {
      await session.close();
      server.close();
    }
  });
});

describe('GOAWAY during load', () => {
  it('a node:http2 client under load sees a graceful weft shutdown: no request in flight fails', async () => {
    const sessions: MuxSession[] = [];
    const server = createServer({}, (stream: MuxStream) => {
      stream.resume();
      stream.on('end', () =>
        setTimeout(() => {
          stream.respond({ ':status': 200 });
          stream.end('ok');
        }, 30),
      );
    });
    server.on('session', (s: MuxSession) => sessions.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    client.on('error', () => {});
    try {
      const results = Array.from({ length: 100 }, () => {
        const req = client.request({ ':path': '/' }, { endStream: true });
        return readAll(req).then(
          (b) => b,
          (e: Error) => `error: ${e.message}`,
        );
      });
      await new Promise((r) => setTimeout(r, 10));
      const goaway = new Promise<number>((r) => client.once('goaway', (code: number) => r(code)));
      void sessions[0]!.close();
      expect(await goaway).toBe(0);
      expect(await Promise.all(results)).toEqual(new Array(100).fill('ok'));
    } finally {
      client.close();
      server.close();
    }
  });

  it('a weft client under load sees a node:http2 GOAWAY: processed streams complete, the rest are retryable', async () => {
    const server = http2.createServer();
    let count = 0;
    server.on('stream', (stream) => {
      // node:http2 reports streams it refuses after its own GOAWAY as 'error's on its side.
      stream.on('error', () => {});
      count++;
      if (count === 20) stream.session!.goaway(0, stream.id);
      setTimeout(() => {
        if (stream.destroyed) return;
        stream.respond({ ':status': 200 });
        stream.end('ok');
      }, 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const session = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }, {});
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, async () => {
          const req = session.request({ ':path': '/' }, { endStream: true });
          try {
            return await readAll(req);
          } catch {
            return req.retryable ? 'retryable' : 'failed';
          }
        }),
      );
      expect(outcomes.filter((o) => o === 'failed')).toHaveLength(0);
      expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(20);
      expect(outcomes.filter((o) => o === 'retryable').length).toBeGreaterThan(0);
    } finally {
      session.destroy();
      server.close();
    }
  });
});
