/**
 * A misbehaving peer costs its own connection, never the server: garbage, malformed envelopes and
 * broken gRPC framing on each transport, while a well-behaved client keeps being served.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { lengthPrefixed } from '@weft/framing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsPackage } from 'ws';
import { encodeCall } from '../src/envelope.js';
import { createClient, Status } from '../src/index.js';
import { Metadata } from '../src/metadata.js';
import { closedWithin, startTestServer, Test, type TestClient } from './fixtures.js';

describe('bad input', () => {
  let started: ReturnType<typeof startTestServer>;
  const ports: Record<string, number> = {};
  const clients: Record<string, TestClient> = {};

  beforeAll(async () => {
    started = startTestServer();
    for (const transport of ['mux', 'pooled', 'ws'] as const) {
      ports[transport] = (await started.server.listen({ transport })).port;
      clients[transport] = createClient(Test, { target: `127.0.0.1:${ports[transport]}`, transport });
    }
  });

  afterAll(async () => {
    for (const c of Object.values(clients)) c.close();
    await started.server.close({ graceMs: 100 });
  });

  const stillServes = async () => {
    for (const c of Object.values(clients))
      expect(await c.echo({ n: 1 }, { timeoutMs: 5000 })).toEqual({ n: 1 });
  };

  describe('pooled', () => {
    const frame = lengthPrefixed({ width: 4 });
    it.each([
      ['random bytes', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['a malformed envelope in a valid frame', Buffer.from(frame.encode(new Uint8Array([9, 9, 9])))],
      ['a frame over the size limit', Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])],
      [
        'a Message for a call over its window',
        Buffer.concat([
          frame.encode(encodeCall(1, '/weft.test.v1.Test/slowSum', undefined, false, new Metadata())),
          ...Array.from({ length: 40 }, () => frame.encode(new Uint8Array([2, 1, 0x90]))),
        ]),
      ],
    ])('%s: the connection is closed, others are served', async (_name, bytes) => {
      const socket = net.connect(ports.pooled!, '127.0.0.1');
      socket.write(bytes);
      expect(await closedWithin(socket, 3000)).toBe(true);
      await stillServes();
    });
  });

  describe('ws', () => {
    it.each([
      ['a text message', 'hello'],
      ['a malformed envelope', Buffer.from([0x0f, 1])],
    ])('%s: the connection is closed, others are served', async (_name, data) => {
      const ws = new WsPackage(`ws://127.0.0.1:${ports.ws}/weft-rpc`);
      await new Promise((r) => ws.on('open', r));
      ws.send(data);
      const code = await new Promise<number>((r) => ws.on('close', r));
      expect([1002, 1003]).toContain(code);
      await stillServes();
    });
  });

  describe('mux (gRPC over HTTP/2)', () => {
    const request = (headers: http2.OutgoingHttpHeaders, body: Buffer) =>
      new Promise<{ status: number; grpcStatus: string | undefined; message: string | undefined }>(
        (resolve, reject) => {
          const session = http2.connect(`http://127.0.0.1:${ports.mux}`);
          session.on('error', reject);
          const req = session.request({ ':method': 'POST', ...headers });
          let status = 0;
          let grpc: string | undefined;
          let message: string | undefined;
          req.on('response', (h) => {
            status = Number(h[':status']);
            grpc = h['grpc-status'] as string | undefined;
            message = h['grpc-message'] as string | undefined;
          });
          req.on('trailers', (h) => {
            grpc = h['grpc-status'] as string | undefined;
            message = h['grpc-message'] as string | undefined;
          });
          req.on('data', () => {});
          req.on('close', () => {
            session.close();
            resolve({ status, grpcStatus: grpc, message });
          });
          req.end(body);
        },
      );
    const grpcHeaders = {
      ':path': '/weft.test.v1.Test/echo',
      'content-type': 'application/grpc',
      te: 'trailers',
    };

    it('a content-type that is not gRPC gets HTTP 415', async () => {
      const r = await request({ ...grpcHeaders, 'content-type': 'text/plain' }, Buffer.from('x'));
      expect(r.status).toBe(415);
    });

    it('a message length over the limit is RESOURCE_EXHAUSTED without buffering it', async () => {
      const r = await request(grpcHeaders, Buffer.from([0, 0x7f, 0xff, 0xff, 0xff, 1]));
      expect(r.grpcStatus).toBe(String(Status.RESOURCE_EXHAUSTED));
    });

    it('a truncated message is INTERNAL', async () => {
      const r = await request(grpcHeaders, Buffer.from([0, 0, 0, 0, 9, 1, 2]));
      expect(r.grpcStatus).toBe(String(Status.INTERNAL));
    });

    it('a compressed flag without grpc-encoding is INTERNAL', async () => {
      const r = await request(grpcHeaders, Buffer.from([1, 0, 0, 0, 1, 0xc0]));
      expect(r.grpcStatus).toBe(String(Status.INTERNAL));
    });

    it('an unknown grpc-encoding is UNIMPLEMENTED; a malformed grpc-timeout is INTERNAL', async () => {
      const r1 = await request({ ...grpcHeaders, 'grpc-encoding': 'br' }, Buffer.from([0, 0, 0, 0, 1, 0xc0]));
      expect(r1.grpcStatus).toBe(String(Status.UNIMPLEMENTED));
      const r2 = await request(
        { ...grpcHeaders, 'grpc-timeout': 'soon' },
        Buffer.from([0, 0, 0, 0, 1, 0xc0]),
      );
      expect(r2.grpcStatus).toBe(String(Status.INTERNAL));
      await stillServes();
    });
  });
});
