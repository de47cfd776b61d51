/**
 * One conformance suite, run on every transport: call shapes, status codes, deadlines,
 * cancellation both ways, metadata, large and oversize messages, concurrency, backpressure and bad
 * input. Every test ends with the server holding no call. `web` is the browser client
 * (`@weft/rpc/web`) over the ws transport, given the `ws` package's WebSocket, which has the
 * browser's API (the same client runs in Chromium in `web-chromium.test.ts`).
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import {
  type BaseClientOptions,
  createClient,
  decodeDetail,
  Metadata,
  type MethodMap,
  RpcError,
  RpcUsageError,
  type ServiceDefinition,
  Status,
} from '../src/index.js';
import { createClient as createWebClient } from '../src/web/index.js';
import {
  eventually,
  Missing,
  type Observed,
  OtherEncodingTest,
  RawTest,
  sleep,
  startTestServer,
  Test,
  type TestClient,
  TRANSPORTS,
} from './fixtures.js';

describe.each([...TRANSPORTS, 'web' as const])('conformance over %s', (kind) => {
  const transport = kind === 'web' ? 'ws' : kind;
  let started: ReturnType<typeof startTestServer>;
  let observed: Observed;
  let port: number;
  let client: TestClient;

  /** A client of this suite's kind. */
  const connect = <M extends MethodMap>(service: ServiceDefinition<M>, options: BaseClientOptions = {}) =>
    kind === 'web'
      ? createWebClient(service, {
          ...options,
          target: `ws://127.0.0.1:${port}`,
          WebSocket: WsWebSocket as unknown as typeof WebSocket,
        })
      : createClient(service, { ...options, target: `static:///127.0.0.1:${port}`, transport });

  beforeAll(async () => {
    started = startTestServer();
    observed = started.observed;
    ({ port } = await started.server.listen({ transport }));
    client = connect(Test, { maxMessageBytes: 64 * 1024 * 1024 });
    started.setNestedClient(createClient(Test, { target: `static:///127.0.0.1:${port}`, transport }));
  });

  afterEach(async () => {
    // No call is ever left pending on the server.
    await eventually(() => started.server.activeCalls === 0, 3000);
  });

  afterAll(async () => {
    client.close();
    await started.server.close({ graceMs: 100 });
  });

  describe('call shapes', () => {
    it('unary', async () => {
      expect(await client.echo({ text: 'hi', n: 7 }, { timeoutMs: 5000 })).toEqual({ text: 'hi', n: 7 });
    });

    it('server streaming, including an empty stream', async () => {
      const got: number[] = [];
      for await (const m of client.count({ n: 50 }, { timeoutMs: 5000 })) got.push(m.n!);
      expect(got).toEqual([...Array(50).keys()]);
      const none: unknown[] = [];
      for await (const m of client.count({ n: 0 }, { timeoutMs: 5000 })) none.push(m);
      expect(none).toEqual([]);
    });

    it('client streaming from an async generator, and from an empty iterable', async () => {
      async function* numbers() {
        for (let i = 1; i <= 100; i++) yield { n: i };
      }
      expect(await client.sum(numbers(), { timeoutMs: 5000 })).toEqual({ n: 5050 });
      expect(await client.sum([], { timeoutMs: 5000 })).toEqual({ n: 0 });
    });

    it('bidi streaming is full duplex: each reply arrives before the next request is sent', async () => {
      const replies: number[] = [];
      let release: (() => void) | undefined;
      async function* requests() {
        for (let i = 0; i < 5; i++) {
          yield { n: i };
          await new Promise<void>((r) => {
            release = r;
          });
        }
      }
      const stream = client.chat(requests(), { timeoutMs: 5000 });
      for await (const m of stream) {
        replies.push(m.n!);
        release?.();
      }
      expect(replies).toEqual([0, 1, 2, 3, 4]);
    });
  });

  describe('errors', () => {
    it.each([
      Status.CANCELLED,
      Status.INVALID_ARGUMENT,
      Status.NOT_FOUND,
      Status.ALREADY_EXISTS,
      Status.PERMISSION_DENIED,
      Status.RESOURCE_EXHAUSTED,
      Status.FAILED_PRECONDITION,
      Status.ABORTED,
      Status.OUT_OF_RANGE,
      Status.UNIMPLEMENTED,
      Status.INTERNAL,
      Status.UNAVAILABLE,
      Status.DATA_LOSS,
      Status.UNAUTHENTICATED,
    ])('a handler error with status %i reaches the client with its message', async (code) => {
      const err = await client
        .fail({ code, text: `bad: ünïcode % ${code}` }, { timeoutMs: 5000 })
        .catch((e) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect(err.code).toBe(code);
      expect(err.message).toBe(`bad: ünïcode % ${code}`);
      expect(err.details.map(decodeDetail)).toEqual([
        { type: 'google.rpc.ErrorInfo', reason: 'TEST', domain: 'weft.test', metadata: { why: 'test' } },
      ]);
    });

    it('anything else a handler throws is UNKNOWN, without its message or stack', async () => {
      const err = await client.throwPlain({}, { timeoutMs: 5000 }).catch((e) => e);
      expect(err.code).toBe(Status.UNKNOWN);
      expect(err.message).not.toContain('secret');
    });

    it('a handler that is not async answers with what it returns, and its throw is UNKNOWN', async () => {
      expect(await client.syncEcho({ text: 'x' }, { timeoutMs: 5000 })).toEqual({ text: 'sync x' });
      const err = await client.throwSync({}, { timeoutMs: 5000 }).catch((e) => e);
      expect(err.code).toBe(Status.UNKNOWN);
      expect(err.message).not.toContain('secret');
    });

    it('an unknown method is UNIMPLEMENTED', async () => {
      const missing = connect(Missing);
      const err = await missing.nothing({}, { timeoutMs: 5000 }).catch((e) => e);
      expect(err.code).toBe(Status.UNIMPLEMENTED);
      missing.close();
    });

    it('an undecodable payload is INTERNAL with a clear message', async () => {
      const raw = connect(RawTest);
      // 0xc1 is never used in MessagePack.
      const err = await raw.echo(new Uint8Array([0xc1, 0xc1]), { timeoutMs: 5000 }).catch((e) => e);
      expect(err.code).toBe(Status.INTERNAL);
      expect(err.message).toMatch(/decode/);
      raw.close();
    });

    it('a request in an encoding the method does not speak is UNIMPLEMENTED, naming both', async () => {
      const other = connect(OtherEncodingTest);
      const err = await other.echo(new Uint8Array([1]), { timeoutMs: 5000 }).catch((e) => e);
      expect(err.code).toBe(Status.UNIMPLEMENTED);
      expect(err.message).toContain('application/grpc+raw');
      expect(err.message).toContain('speaks msgpack');
      other.close();
    });
  });

  describe('deadlines', () => {
    it('a call past its deadline fails with DEADLINE_EXCEEDED on time, and the handler is told', async () => {
      const t0 = Date.now();
      const err = await client.sleep({ sleepMs: 5000 }, { timeoutMs: 100 }).catch((e) => e);
      const elapsed = Date.now() - t0;
      expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
      expect(elapsed).toBeGreaterThanOrEqual(95);
      expect(elapsed).toBeLessThan(1000);
      await eventually(() => observed.aborted.includes('sleep'));
    });

    it('an already expired deadline fails without touching the wire', async () => {
      const before = observed.aborted.length;
      const err = await client.sleep({ sleepMs: 10 }, { deadline: Date.now() - 1 }).catch((e) => e);
      expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
      await sleep(20);
      expect(observed.aborted.length).toBe(before);
    });

    it("a handler's outgoing call inherits the handler's shorter deadline", async () => {
      const res = await client.nested({ sleepMs: 5000 }, { timeoutMs: 200 }).catch((e) => e);
      // The inner call fails at the outer deadline; either the outer call gets DEADLINE_EXCEEDED too,
      // or (if the reply wins the race) the nested result reports it.
      if (res instanceof RpcError) expect(res.code).toBe(Status.DEADLINE_EXCEEDED);
      else expect(res.text).toBe(String(Status.DEADLINE_EXCEEDED));
    });

    it('a streaming call past its deadline ends the server generator', async () => {
      const got: number[] = [];
      const err = await (async () => {
        for await (const m of client.sleepStream({ sleepMs: 20 }, { timeoutMs: 150 })) got.push(m.n!);
      })().catch((e) => e);
      expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
      expect(got.length).toBeGreaterThan(0);
      await eventually(() => observed.streamEnded.includes('sleepStream'));
    });
  });

  describe('cancellation', () => {
    it('an AbortSignal cancels a unary call; the server signal aborts', async () => {
      observed.aborted.length = 0;
      const controller = new AbortController();
      const pending = client.sleep({ sleepMs: 5000 }, { signal: controller.signal, timeoutMs: 10_000 });
      await sleep(50);
      controller.abort();
      const err = await pending.catch((e) => e);
      expect(err.code).toBe(Status.CANCELLED);
      await eventually(() => observed.aborted.includes('sleep'));
    });

    it('leaving a response loop early cancels the stream and ends the server generator', async () => {
      observed.streamEnded.length = 0;
      let n = 0;
      for await (const _ of client.sleepStream({ sleepMs: 5 }, { timeoutMs: 10_000 })) {
        if (++n === 3) break;
      }
      await eventually(() => observed.streamEnded.includes('sleepStream'));
    });

    it("a bidi call cancelled by the client ends the handler's request iterator", async () => {
      observed.streamEnded.length = 0;
      const controller = new AbortController();
      async function* forever() {
        for (let i = 0; ; i++) {
          yield { n: i };
          await sleep(5);
          if (controller.signal.aborted) return;
        }
      }
      const stream = client.chat(forever(), { signal: controller.signal, timeoutMs: 10_000 });
      const err = await (async () => {
        for await (const m of stream) if (m.n === 3) controller.abort();
      })().catch((e) => e);
      expect(err.code).toBe(Status.CANCELLED);
      await eventually(() => observed.streamEnded.includes('chat'));
    });

    it('the server cancelling mid-stream reaches the client as that status', async () => {
      const err = await (async () => {
        for await (const _ of client.chat(
          (async function* () {
            yield { n: 1 };
            await sleep(20);
            throw new Error('client side failure');
          })(),
          { timeoutMs: 5000 },
        )) {
          // consume
        }
      })().catch((e) => e);
      expect(err.code).toBe(Status.CANCELLED);
    });
  });

  describe('metadata', () => {
    it('request metadata, response headers and trailers, text and binary', async () => {
      let headers: Metadata | undefined;
      let trailers: Metadata | undefined;
      const res = await client.meta(
        {},
        {
          timeoutMs: 5000,
          metadata: { 'x-token': 'abc', 'x-list': ['1', '2'], 'x-raw-bin': new Uint8Array([9, 0, 255]) },
          onHeaders: (h) => {
            headers = h;
          },
          onTrailers: (t) => {
            trailers = t;
          },
        },
      );
      expect(res.text).toBe('abc');
      const seen = observed.lastMetadata!;
      expect(seen.getAll('x-list')).toEqual(['1', '2']);
      expect([...(seen.get('x-raw-bin') as Uint8Array)]).toEqual([9, 0, 255]);
      expect(headers?.get('x-header')).toBe('h');
      expect(trailers?.get('x-trailer')).toBe('t');
      expect([...(trailers!.get('x-trailer-bin') as Uint8Array)]).toEqual([0, 1, 2, 255]);
      // The handler sees where the call came from.
      expect(observed.lastPeer).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    });

    it('a stream that sets no headers still delivers (empty) headers before its first message', async () => {
      const stream = client.sleepStream({ sleepMs: 60_000 }, { timeoutMs: 10_000 });
      const first = await stream.next();
      expect(first.value).toEqual({ n: 0 });
      // The stream is still open (the handler sleeps a minute): headers must not wait for its end.
      const headers = await Promise.race([stream.headers, sleep(2000).then(() => 'timed out')]);
      expect(headers).toBeInstanceOf(Metadata);
      expect((headers as Metadata).size).toBe(0);
      stream.cancel();
    });

    it('reserved keys are refused at the call, before anything is sent', () => {
      // A caller's mistake: a usage error, thrown by the call itself.
      expect(() => client.echo({}, { metadata: { 'grpc-timeout': '1S' } })).toThrow(
        expect.objectContaining({ name: 'RpcUsageError', code: 'RPC_ERR_INVALID_METADATA' }),
      );
      expect(() => new Metadata({ 'x-bad': 'caf\u00e9' })).toThrow(RpcUsageError);
    });
  });

  describe('sizes', () => {
    it('an 8 MiB message goes both ways intact', async () => {
      const bytes = new Uint8Array(8 * 1024 * 1024);
      for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 0xff;
      const res = await client.big({ bytes }, { timeoutMs: 20_000 });
      expect(Buffer.compare(res.bytes!, bytes)).toBe(0);
    });

    it('32 concurrent 1 MiB echoes all complete, also pipelined: client and server never wait for each other', async () => {
      // Each side's output backs up past 1 MiB here; a client that stopped reading for it (as the
      // server does) deadlocked with the server over ws and pipelined pooled.
      const bytes = new Uint8Array(1024 * 1024).fill(7);
      const clients = [client];
      if (transport === 'pooled')
        clients.push(
          createClient(Test, {
            target: `static:///127.0.0.1:${port}`,
            transport,
            pooled: { pipelining: 8, maxConnections: 2 },
          }),
        );
      try {
        for (const c of clients) {
          const answers = await Promise.all(
            Array.from({ length: 32 }, () => c.echo({ bytes }, { timeoutMs: 10_000 })),
          );
          expect(answers.every((a) => a.bytes?.length === bytes.length)).toBe(true);
        }
      } finally {
        for (const c of clients.slice(1)) c.close();
      }
    });

    it('a request over the method limit is RESOURCE_EXHAUSTED (client side, nothing sent)', async () => {
      const err = await client.small({ bytes: new Uint8Array(2000) }, { timeoutMs: 5000 }).catch((e) => e);
      expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    });

    it('a request over the server limit is RESOURCE_EXHAUSTED from the server', async () => {
      const loose = connect({
        ...Test,
        methods: { ...Test.methods, small: { ...Test.methods.small, options: {} } },
      });
      const err = await loose.small({ bytes: new Uint8Array(2000) }, { timeoutMs: 5000 }).catch((e) => e);
      expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
      // The connection still serves calls.
      expect(await loose.echo({ n: 1 }, { timeoutMs: 5000 })).toEqual({ n: 1 });
      loose.close();
    });

    it('a response over the client limit is RESOURCE_EXHAUSTED', async () => {
      const strict = connect(Test, { maxMessageBytes: 1000 });
      const err = await strict.sized({ size: 5000 }, { timeoutMs: 5000 }).catch((e) => e);
      expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
      strict.close();
    });
  });

  describe('load and backpressure', () => {
    it('1,000 concurrent calls all succeed', async () => {
      const calls = Array.from({ length: 1000 }, (_, i) => client.echo({ n: i }, { timeoutMs: 20_000 }));
      const results = await Promise.all(calls);
      expect(results.map((r) => r.n)).toEqual([...Array(1000).keys()]);
    });

    it('a slow reader of a server stream holds back the server (no unbounded buffering)', async () => {
      observed.produced = 0;
      // 2,000 messages of 64 KiB (125 MiB) are available; what may be produced ahead of the reader is
      // bounded by windows: mux's stream window (it tunes itself up to 16 MiB) plus the stream's 4 MiB
      // write buffer; the envelope transports' 16-message window plus socket buffers.
      const stream = client.flood({ n: 2000, size: 64 * 1024 }, { timeoutMs: 20_000 });
      let read = 0;
      for await (const _ of stream) {
        read++;
        if (read === 5) {
          await sleep(300);
          expect(observed.produced * 64 * 1024).toBeLessThan(32 * 1024 * 1024);
          break;
        }
      }
    });

    it('a reader that paused the call still gets every message before the status', async () => {
      // The reader takes nothing for 200 ms: the call pauses past its inbox's high water while the
      // second burst and the status arrive; they must wait behind the messages not yet read.
      const stream = client.burst({ n: 40, sleepMs: 50 }, { timeoutMs: 10_000 });
      await sleep(200);
      const got: number[] = [];
      for await (const m of stream) got.push(m.n!);
      expect(got).toEqual([...Array(80).keys()]);
    });

    it('a slow server reader holds back a streaming client', async () => {
      observed.consumed = 0;
      let sent = 0;
      async function* requests() {
        for (let i = 0; i < 2000; i++) {
          sent++;
          yield { n: 1, bytes: new Uint8Array(64 * 1024) };
        }
      }
      const pending = client.slowSum(requests(), { timeoutMs: 300 }).catch((e) => e);
      await sleep(250);
      expect((sent - observed.consumed) * 64 * 1024).toBeLessThan(32 * 1024 * 1024);
      const err = await pending;
      expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    });
  });
});
