/**
 * Interop with a stock @grpc/grpc-js (msgpackr serializers, `makeGenericClientConstructor`): a
 * grpc-js client calls a weft server, and a weft client calls a grpc-js server — all four call
 * shapes, metadata, errors with messages, deadlines.
 */
import * as grpc from '@grpc/grpc-js';
import { pack, unpack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, RpcError, Status } from '../src/index.js';
import { type Msg, sleep, startTestServer, Test, type TestClient } from './fixtures.js';

const serialize = (value: unknown) => pack(value);
const deserialize = (bytes: Buffer) => unpack(bytes);

function method(name: string, requestStream: boolean, responseStream: boolean) {
  return {
    path: `/weft.test.v1.Test/${name}`,
    requestStream,
    responseStream,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  };
}

const definition = {
  echo: method('echo', false, false),
  count: method('count', false, true),
  sum: method('sum', true, false),
  chat: method('chat', true, true),
  fail: method('fail', false, false),
  sleep: method('sleep', false, false),
  meta: method('meta', false, false),
} as grpc.ServiceDefinition;

// biome-ignore lint/suspicious/noExplicitAny: grpc-js generic clients are untyped.
type GenericClient = any;

function unaryCall(
  client: GenericClient,
  name: string,
  req: Msg,
  options: grpc.CallOptions = {},
  md?: grpc.Metadata,
) {
  return new Promise<{ res: Msg; headers: grpc.Metadata | undefined }>((resolve, reject) => {
    let headers: grpc.Metadata | undefined;
    const call = client[name](
      req,
      md ?? new grpc.Metadata(),
      options,
      (err: grpc.ServiceError | null, res: Msg) => {
        if (err) reject(err);
        else resolve({ res, headers });
      },
    );
    call.on('metadata', (m: grpc.Metadata) => {
      headers = m;
    });
  });
}

describe('grpc-js client → weft server (mux)', () => {
  let started: ReturnType<typeof startTestServer>;
  let client: GenericClient;

  beforeAll(async () => {
    started = startTestServer();
    const address = await started.server.listen({ transport: 'mux' });
    const Ctor = grpc.makeGenericClientConstructor(definition, 'Test');
    client = new Ctor(`127.0.0.1:${address.port}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await started.server.close({ graceMs: 100 });
  });

  it('unary', async () => {
    const { res } = await unaryCall(client, 'echo', { text: 'from grpc-js', n: 3 });
    expect(res).toEqual({ text: 'from grpc-js', n: 3 });
  });

  it('server streaming', async () => {
    const got: number[] = [];
    const call = client.count({ n: 20 });
    for await (const m of call) got.push((m as Msg).n!);
    expect(got).toEqual([...Array(20).keys()]);
  });

  it('client streaming', async () => {
    const res = await new Promise<Msg>((resolve, reject) => {
      const call = client.sum((err: grpc.ServiceError | null, r: Msg) => (err ? reject(err) : resolve(r)));
      for (let i = 1; i <= 10; i++) call.write({ n: i });
      call.end();
    });
    expect(res).toEqual({ n: 55 });
  });

  it('bidi streaming', async () => {
    const call = client.chat();
    const got: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (m: Msg) => got.push(m.n!));
      call.on('end', resolve);
      call.on('error', reject);
    });
    for (let i = 0; i < 5; i++) call.write({ n: i });
    call.end();
    await done;
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it('metadata both ways, text and binary', async () => {
    const md = new grpc.Metadata();
    md.add('x-token', 'secret-token');
    md.add('x-raw-bin', Buffer.from([1, 2, 3, 250]));
    const trailers = await new Promise<grpc.Metadata>((resolve, reject) => {
      const call = client.meta({}, md, (err: grpc.ServiceError | null, res: Msg) => {
        if (err) reject(err);
        else expect(res.text).toBe('secret-token');
      });
      call.on('status', (s: grpc.StatusObject) => resolve(s.metadata));
    });
    expect(trailers.get('x-trailer')).toEqual(['t']);
    expect([...(trailers.get('x-trailer-bin')[0] as Buffer)]).toEqual([0, 1, 2, 255]);
    expect([...(started.observed.lastMetadata!.get('x-raw-bin') as Uint8Array)]).toEqual([1, 2, 3, 250]);
  });

  it('errors with their code and message', async () => {
    const err = await unaryCall(client, 'fail', { code: Status.NOT_FOUND, text: 'no such thing: ü%' }).catch(
      (e) => e,
    );
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    expect(err.details).toBe('no such thing: ü%');
  });

  it('deadlines: grpc-timeout reaches the handler', async () => {
    const err = await unaryCall(client, 'sleep', { sleepMs: 5000 }, { deadline: Date.now() + 150 }).catch(
      (e) => e,
    );
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await sleep(50);
    expect(started.observed.aborted).toContain('sleep');
  });
});

describe('weft client (mux) → grpc-js server', () => {
  let server: grpc.Server;
  let client: TestClient;
  const seen: { metadata?: grpc.Metadata; deadline?: grpc.Deadline; cancelled: boolean } = {
    cancelled: false,
  };

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(definition, {
      echo: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => cb(null, call.request),
      count: (call: grpc.ServerWritableStream<Msg, Msg>) => {
        for (let i = 0; i < (call.request.n ?? 0); i++) call.write({ n: i });
        call.end();
      },
      sum: (call: grpc.ServerReadableStream<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
        let total = 0;
        call.on('data', (m: Msg) => {
          total += m.n ?? 0;
        });
        call.on('end', () => cb(null, { n: total }));
      },
      chat: (call: grpc.ServerDuplexStream<Msg, Msg>) => {
        call.on('data', (m: Msg) => call.write(m));
        call.on('end', () => call.end());
      },
      fail: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) =>
        cb({ code: call.request.code ?? grpc.status.UNKNOWN, details: call.request.text ?? '' }),
      sleep: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
        seen.deadline = call.getDeadline();
        call.on('cancelled', () => {
          seen.cancelled = true;
        });
        setTimeout(() => cb(null, { text: 'done' }), call.request.sleepMs ?? 0);
      },
      meta: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
        seen.metadata = call.metadata;
        const headers = new grpc.Metadata();
        headers.add('x-header', 'h');
        call.sendMetadata(headers);
        const trailers = new grpc.Metadata();
        trailers.add('x-trailer', 't');
        trailers.add('x-trailer-bin', Buffer.from([7, 8]));
        cb(null, { text: String(call.metadata.get('x-token')[0]) }, trailers);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    client = createClient(Test, { target: `static:///127.0.0.1:${port}`, transport: 'mux' });
  });

  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('unary', async () => {
    expect(await client.echo({ text: 'to grpc-js' }, { timeoutMs: 5000 })).toEqual({ text: 'to grpc-js' });
  });

  it('server streaming', async () => {
    const got: number[] = [];
    for await (const m of client.count({ n: 20 }, { timeoutMs: 5000 })) got.push(m.n!);
    expect(got).toEqual([...Array(20).keys()]);
  });

  it('client streaming', async () => {
    expect(await client.sum([{ n: 1 }, { n: 2 }, { n: 3 }], { timeoutMs: 5000 })).toEqual({ n: 6 });
  });

  it('bidi streaming', async () => {
    const got: number[] = [];
    for await (const m of client.chat([{ n: 1 }, { n: 2 }], { timeoutMs: 5000 })) got.push(m.n!);
    expect(got).toEqual([1, 2]);
  });

  it('metadata both ways, text and binary', async () => {
    let headers: unknown;
    let trailers: unknown;
    const res = await client.meta(
      {},
      {
        timeoutMs: 5000,
        metadata: { 'x-token': 'abc', 'x-raw-bin': new Uint8Array([5, 6]) },
        onHeaders: (h) => {
          headers = h.get('x-header');
        },
        onTrailers: (t) => {
          trailers = [t.get('x-trailer'), [...(t.get('x-trailer-bin') as Uint8Array)]];
        },
      },
    );
    expect(res.text).toBe('abc');
    expect(headers).toBe('h');
    expect(trailers).toEqual(['t', [7, 8]]);
    expect([...(seen.metadata!.get('x-raw-bin')[0] as Buffer)]).toEqual([5, 6]);
  });

  it('errors with their code and message', async () => {
    const err = await client
      .fail({ code: Status.PERMISSION_DENIED, text: 'nope: é' }, { timeoutMs: 5000 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(Status.PERMISSION_DENIED);
    expect(err.message).toBe('nope: é');
  });

  it('deadlines: the server sees our grpc-timeout and our cancellation', async () => {
    const t0 = Date.now();
    const err = await client.sleep({ sleepMs: 2000 }, { timeoutMs: 200 }).catch((e) => e);
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(Date.now() - t0).toBeLessThan(1000);
    const deadline = seen.deadline instanceof Date ? seen.deadline.getTime() : Number(seen.deadline);
    expect(deadline - t0).toBeGreaterThan(100);
    expect(deadline - t0).toBeLessThan(400);
    await sleep(50);
    expect(seen.cancelled).toBe(true);
  });
});
