/**
 * Slow and idle peers cannot starve a server: calls that never end are held within a connection's
 * share (at the server's limit, a connection below its fair share takes a slot from the one holding
 * the most), a request that never arrives times out, idle connections are closed, and a WebSocket
 * that never sends its handshake is dropped — while a well-behaved client keeps being served.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { lengthPrefixed } from '@weft/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCall } from '../src/envelope.js';
import { createClient, RpcError, Status, type TransportKind } from '../src/index.js';
import { Metadata } from '../src/metadata.js';
import {
  closedWithin,
  eventually,
  type Msg,
  startTestServer,
  Test,
  type TestClient,
  TRANSPORTS,
} from './fixtures.js';

/** Requests that never come: the client-streaming call stays open until aborted. */
const never = (signal: AbortSignal): AsyncIterable<Msg> => ({
  [Symbol.asyncIterator]: () => ({
    next: () => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
  }),
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => (err instanceof RpcError ? err.code : String(err)),
  );

let cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

async function serve(options: Parameters<typeof startTestServer>[0], transport: TransportKind) {
  const { server } = startTestServer(options);
  const { port } = await server.listen({ transport });
  cleanup.push(() => server.close({ graceMs: 50 }));
  return { server, port };
}

function client(port: number, transport: TransportKind): TestClient {
  // One connection per client, also on mux (which would otherwise scale out past 100 calls).
  const c = createClient(Test, { target: `127.0.0.1:${port}`, transport, mux: { maxConnections: 1 } });
  cleanup.push(() => c.close());
  return c;
}

/** `count` never-ending calls on one connection of `transport`; `ended` gets the status of each that ends. */
function hold(port: number, transport: TransportKind, count: number, ended: (number | string)[] = []): void {
  if (transport === 'pooled') {
    // A weft pooled client runs one streaming call per connection: a hostile one pipelines them.
    const frame = lengthPrefixed({ width: 4 });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    cleanup.push(() => void socket.destroy());
    for (let id = 1; id <= count; id++) {
      socket.write(frame.encode(encodeCall(id, '/weft.test.v1.Test/sum', undefined, false, new Metadata())));
    }
    return;
  }
  const abort = new AbortController();
  cleanup.push(() => abort.abort());
  const c = client(port, transport);
  for (let i = 0; i < count; i++) void codeOf(c.sum(never(abort.signal))).then((code) => ended.push(code));
}

describe.each(TRANSPORTS)('starvation over %s', (transport) => {
  it('calls that never end cannot fill the server: a newcomer takes a share', async () => {
    const { server, port } = await serve({ maxConcurrentCalls: 200 }, transport);
    // Five connections ask for 60 calls each; one connection may hold 50 (a quarter of the limit).
    const ended: (number | string)[] = [];
    for (let i = 0; i < 5; i++) hold(port, transport, 60, ended);
    await eventually(() => server.activeCalls === 200, 5000);
    const good = client(port, transport);
    for (let i = 0; i < 20; i++) expect(await good.echo({ n: i }, { timeoutMs: 5000 })).toEqual({ n: i });
    expect(server.activeCalls).toBeLessThanOrEqual(200);
    if (transport !== 'pooled') {
      // The hostile connections' calls past their share were refused or shed, and nothing else.
      await eventually(() => ended.length >= 100, 2000);
      expect(new Set(ended)).toEqual(new Set([Status.RESOURCE_EXHAUSTED]));
    }
  });

  it('a single connection holds at most its share of the server', async () => {
    const { server, port } = await serve({ maxConcurrentCalls: 200 }, transport);
    void hold(port, transport, 150);
    await eventually(() => server.activeCalls === 50, 5000);
    // Give the rest of the 150 time to arrive: still 50.
    await new Promise((r) => setTimeout(r, 100));
    expect(server.activeCalls).toBe(50);
    expect(await client(port, transport).echo({ n: 1 }, { timeoutMs: 5000 })).toEqual({ n: 1 });
  });

  it('an idle connection is closed; the client reconnects for its next call', async () => {
    const { server, port } = await serve({ idleTimeoutMs: 150 }, transport);
    const c = client(port, transport);
    expect(await c.echo({ n: 1 })).toEqual({ n: 1 });
    expect(server.connections).toBeGreaterThan(0);
    await eventually(() => server.connections === 0, 3000);
    expect(await c.echo({ n: 2 }, { timeoutMs: 5000 })).toEqual({ n: 2 });
  });
});

/** A pooled connection opening a unary call whose request never comes (timeout: ms, or none). */
function openUnary(port: number, timeoutMs: number | undefined): void {
  const frame = lengthPrefixed({ width: 4 });
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  cleanup.push(() => void socket.destroy());
  socket.write(frame.encode(encodeCall(1, '/weft.test.v1.Test/echo', timeoutMs, false, new Metadata())));
}

describe('request timeout', () => {
  it('a unary call whose request never arrives ends with DEADLINE_EXCEEDED (mux)', async () => {
    const { server, port } = await serve({ requestTimeoutMs: 200 }, 'mux');
    const session = http2.connect(`http://127.0.0.1:${port}`);
    cleanup.push(() => void session.destroy());
    const req = session.request({
      ':method': 'POST',
      ':path': '/weft.test.v1.Test/echo',
      'content-type': 'application/grpc+msgpack',
      te: 'trailers',
    });
    const started = Date.now();
    // Trailers-Only: the status comes in the response headers (the client never ends its side).
    const status = await new Promise<string | undefined>((resolve) => {
      req.on('response', (h) => resolve(h['grpc-status'] as string | undefined));
      req.on('data', () => {});
    });
    expect(status).toBe(String(Status.DEADLINE_EXCEEDED));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(server.activeCalls).toBe(0);
  }, 5000);

  it('a unary call whose request never arrives ends with DEADLINE_EXCEEDED (pooled)', async () => {
    const { server, port } = await serve({ requestTimeoutMs: 200 }, 'pooled');
    openUnary(port, undefined);
    await eventually(() => server.activeCalls === 1, 2000);
    await eventually(() => server.activeCalls === 0, 2000);
  });

  it('a deadline shorter than the request timeout is what ends the call', async () => {
    const { server, port } = await serve({ requestTimeoutMs: 10_000 }, 'pooled');
    openUnary(port, 300);
    await eventually(() => server.activeCalls === 1, 2000);
    await eventually(() => server.activeCalls === 0, 2000);
  });

  it('is off with requestTimeoutMs: 0', async () => {
    const { server, port } = await serve({ requestTimeoutMs: 0 }, 'pooled');
    openUnary(port, undefined);
    await eventually(() => server.activeCalls === 1, 2000);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.activeCalls).toBe(1);
  });
});

describe('WebSocket handshake', () => {
  const open = (port: number) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    cleanup.push(() => void socket.destroy());
    return socket;
  };

  it('a connection that never sends its handshake is closed after handshakeTimeoutMs', async () => {
    const { port } = await serve({ handshakeTimeoutMs: 200 }, 'ws');
    const socket = open(port);
    socket.write('GET /weft-rpc HTTP/1.1\r\nHost: x\r\n');
    expect(await closedWithin(socket, 2000)).toBe(true);
  });

  it('an upgrade over HTTP/1.0 is refused with 400', async () => {
    const { port } = await serve({}, 'ws');
    const socket = open(port);
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.write(
      'GET /weft-rpc HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await closedWithin(socket, 2000);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe('a frozen WebSocket server', () => {
  it('a call without deadline fails after the client handshake timeout, not 30 s', async () => {
    // Accepts TCP connections and never answers: a stopped process, as the kernel keeps accepting.
    const sockets: net.Socket[] = [];
    const frozen = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => frozen.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          frozen.close(() => r());
        }),
    );
    const { port } = frozen.address() as net.AddressInfo;
    const c = createClient(Test, {
      target: `127.0.0.1:${port}`,
      transport: 'ws',
      ws: { handshakeTimeoutMs: 300 },
      retry: { maxAttempts: 1 },
    });
    cleanup.push(() => c.close());
    const started = Date.now();
    expect(await codeOf(c.echo({ n: 1 }))).toBe(Status.UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(3000);
  }, 10_000);
});
