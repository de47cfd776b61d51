/** Interop with curl, nghttp and h2load (Debian nghttp2-client) against a weft server, on loopback. */
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type MuxStream } from '../../src/node/index.js';
import { tool } from './tools.js';

const run = promisify(execFile);
const curl = tool('curl');
const nghttp = tool('nghttp');
const h2load = tool('h2load');

let server: ReturnType<typeof createServer>;
let base: string;

beforeAll(async () => {
  server = createServer({}, (stream: MuxStream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      stream.respond({
        ':status': 200,
        'content-type': 'text/plain',
        'x-method': headers[':method'] as string,
      });
      stream.end(body.length > 0 ? body : Buffer.from(`hello ${headers[':path'] as string}\n`));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('curl --http2-prior-knowledge -> weft server', () => {
  it.skipIf(!curl.available)('GET and POST with a body', async () => {
    const get = await run('curl', ['--http2-prior-knowledge', '-sS', '-D', '-', `${base}/greet`], {
      timeout: 10_000,
    });
    expect(get.stdout).toMatch(/^HTTP\/2 200/);
    expect(get.stdout).toMatch(/x-method: GET/);
    expect(get.stdout).toMatch(/hello \/greet/);
    const payload = 'x'.repeat(100_000);
    const post = await run(
      'curl',
      ['--http2-prior-knowledge', '-sS', '--data-binary', payload, `${base}/echo`],
      {
        timeout: 10_000,
        maxBuffer: 1 << 20,
      },
    );
    expect(post.stdout).toBe(payload);
  });
});

describe('nghttp -nv -> weft server', () => {
  it.skipIf(!nghttp.available)('completes a request with the frames it expects', async () => {
    const { stdout } = await run('nghttp', ['-nv', `${base}/`], { timeout: 10_000 });
    expect(stdout).toMatch(/recv SETTINGS frame/);
    expect(stdout).toMatch(/:status: 200/);
    expect(stdout).toMatch(/recv DATA frame <length=\d+, flags=0x01, stream_id=13>/);
    // nghttp opens with PRIORITY frames on idle streams 3-11 (RFC 7540 style): accepted and ignored.
    expect(stdout).toMatch(/send PRIORITY frame/);
    expect(stdout).not.toMatch(/GOAWAY.*error_code=[^0]/);
  });
});

describe('h2load -> weft server', () => {
  it.skipIf(!h2load.available)(
    '2,000 requests over 4 connections, 50 streams each: zero errors',
    async () => {
      const { stdout } = await run('h2load', ['-n', '2000', '-c', '4', '-m', '50', `${base}/`], {
        timeout: 30_000,
      });
      const m =
        /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(
          stdout,
        );
      expect(m, stdout).not.toBeNull();
      expect(Number(m![4])).toBe(2000);
      expect(Number(m![5])).toBe(0);
      expect(Number(m![6])).toBe(0);
      expect(stdout).toMatch(/status codes: 2000 2xx/);
    },
  );

  it.skipIf(!h2load.available)('POST bodies with h2load -d', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'weft-')), 'body');
    writeFileSync(file, Buffer.alloc(64, 0x61));
    const { stdout } = await run('h2load', ['-n', '500', '-c', '1', '-m', '100', '-d', file, `${base}/`], {
      timeout: 30_000,
    });
    expect(stdout).toMatch(/500 succeeded, 0 failed, 0 errored/);
  });
});
