/** Server push against node:http2, both ways. */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect, createServer, type MuxStream } from '../../src/node/index.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString();
}

describe('push interop', () => {
  it('weft server pushes to a node:http2 client', async () => {
    const server = createServer({}, (stream: MuxStream) => {
      const pushed = stream.pushStream({ ':path': '/style.css' });
      pushed.respond({ ':status': 200, 'content-type': 'text/css' });
      pushed.end('body{}');
      stream.respond({ ':status': 200 });
      stream.end('<html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const pushed = new Promise<{ path: string; body: string }>((resolve) => {
        client.on('stream', (stream, requestHeaders) => {
          void readAll(stream).then((body) => resolve({ path: requestHeaders[':path'] as string, body }));
        });
      });
      const req = client.request({ ':path': '/' }, { endStream: true });
      expect(await readAll(req)).toBe('<html>');
      expect(await pushed).toEqual({ path: '/style.css', body: 'body{}' });
    } finally {
      client.close();
      server.close();
    }
  });

  it('node:http2 server pushes to a weft client that accepts pushes', async () => {
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.pushStream({ ':path': '/pushed' }, (err, push) => {
        if (err) throw err;
        push.respond({ ':status': 200 });
        push.end('from node');
      });
      stream.respond({ ':status': 200 });
      stream.end('main');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const session = connect(
      { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
      { settings: { enablePush: true } },
    );
    try {
      const pushed = new Promise<{ path: string; body: string; status: string }>((resolve) => {
        session.on('push', (stream: MuxStream, requestHeaders: Record<string, string>) => {
          let status = '';
          stream.on('response', (h: Record<string, string>) => {
            status = h[':status']!;
          });
          void readAll(stream).then((body) => resolve({ path: requestHeaders[':path']!, body, status }));
        });
      });
      const req = session.request({ ':path': '/' }, { endStream: true });
      expect(await readAll(req)).toBe('main');
      expect(await pushed).toEqual({ path: '/pushed', body: 'from node', status: '200' });
    } finally {
      await session.close();
      server.close();
    }
  });

  it('a weft client without a push listener refuses pushes; the main response still arrives', async () => {
    const server = http2.createServer();
    const refused = new Promise<number>((resolve) => {
      server.on('stream', (stream) => {
        stream.pushStream({ ':path': '/unwanted' }, (err, push) => {
          if (err) return;
          push.on('error', () => {});
          push.on('close', () => resolve(push.rstCode));
          push.respond({ ':status': 200 });
          push.end(Buffer.alloc(1 << 20)); // larger than the window: only our RST can end it
        });
        stream.respond({ ':status': 200 });
        stream.end('main');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const session = connect(
      { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
      { settings: { enablePush: true } },
    );
    try {
      const req = session.request({ ':path': '/' }, { endStream: true });
      expect(await readAll(req)).toBe('main');
      expect(await refused).toBe(http2.constants.NGHTTP2_CANCEL);
    } finally {
      await session.close();
      server.close();
    }
  });
});
