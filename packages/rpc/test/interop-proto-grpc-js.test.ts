/**
 * `.proto` interop with a stock @grpc/grpc-js using @grpc/proto-loader on the same .proto: a
 * grpc-js client calls a weft server serving the protobuf-es service, and a weft client calls a
 * grpc-js server — the four call shapes, metadata (text and -bin), deadlines, cancellation,
 * status with message, and gzip both ways.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createServer, RpcError, type Server, Status } from '../src/index.js';
import { sleep } from './fixtures.js';
import { Inventory } from './gen/weft/test/v1/inventory_pb.js';
import { type InventorySeen, inventoryImpl } from './inventory-impl.js';

const protoFile = fileURLToPath(new URL('./proto/weft/test/v1/inventory.proto', import.meta.url));
const packageDefinition = protoLoader.loadSync(protoFile, { longs: String, defaults: true, oneofs: true });
// biome-ignore lint/suspicious/noExplicitAny: proto-loader's package objects are untyped.
const loaded = grpc.loadPackageDefinition(packageDefinition) as any;
const InventoryClient = loaded.weft.test.v1.Inventory as typeof grpc.Client & {
  service: grpc.ServiceDefinition;
};
// biome-ignore lint/suspicious/noExplicitAny: generated grpc-js clients are untyped.
type GrpcClient = any;

function unary(client: GrpcClient, name: string, req: object, md = new grpc.Metadata(), options = {}) {
  return new Promise<{
    res: Record<string, unknown>;
    headers: grpc.Metadata | undefined;
    trailers: grpc.Metadata;
  }>((resolve, reject) => {
    let headers: grpc.Metadata | undefined;
    let res: Record<string, unknown> | undefined;
    const call = client[name](
      req,
      md,
      options,
      (err: grpc.ServiceError | null, r: Record<string, unknown>) => {
        if (err) reject(err);
        else res = r;
      },
    );
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    // grpc-js reports the status (with the trailers) after the callback.
    call.on('status', (s: grpc.StatusObject) => {
      if (res !== undefined) resolve({ res, headers, trailers: s.metadata });
    });
  });
}

function collect(stream: NodeJS.ReadableStream): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const out: Record<string, unknown>[] = [];
    stream.on('data', (m: Record<string, unknown>) => out.push(m));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}

describe.each([
  ['identity', {}],
  ['gzip', { 'grpc.default_compression_algorithm': 2 }],
] as const)('grpc-js (proto-loader) client → weft server, %s', (_name, channelOptions) => {
  let server: Server;
  let client: GrpcClient;
  const seen: InventorySeen = { cancelled: [], metadata: [] };

  beforeAll(async () => {
    server = createServer({ compression: { thresholdBytes: 1 } });
    server.add(Inventory, inventoryImpl(seen));
    const { port } = await server.listen({ transport: 'mux' });
    client = new InventoryClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), channelOptions);
  });
  afterAll(async () => {
    client.close();
    await server.close({ graceMs: 100 });
  });

  it('unary, with metadata both ways', async () => {
    const md = new grpc.Metadata();
    md.set('x-token', 'abc');
    md.set('x-trace-bin', Buffer.from([1, 2, 255]));
    const { res, headers, trailers } = await unary(client, 'GetItem', { sku: 'A-1' }, md);
    expect(res).toMatchObject({
      sku: 'A-1',
      name: 'item A-1',
      stock: 7,
      tags: ['a', 'b'],
      size: { width: 1.5, height: 2 },
      warehouseId: '42',
      origin: 'warehouseId',
    });
    expect(headers?.get('x-token-seen')).toEqual(['abc']);
    expect(Array.from(trailers.get('x-trace-bin')[0] as Buffer)).toEqual([1, 2, 255]);
    expect(seen.metadata.at(-1)?.['x-token']).toBe('abc');
  });

  it('server streaming, client streaming and bidi', async () => {
    const listed = await collect(client.ListItems({ prefix: 'p', count: 4 }));
    expect(listed.map((i) => i.sku)).toEqual(['p0', 'p1', 'p2', 'p3']);
    const summary = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const call = client.RecordChanges((err: Error | null, res: Record<string, unknown>) =>
        err ? reject(err) : resolve(res),
      );
      for (let i = 0; i < 4; i++) call.write({ sku: `s${i % 2}`, delta: i + 1 });
      call.end();
    });
    expect(summary).toMatchObject({ changes: 4, totalDelta: 10, bySku: { s0: 4, s1: 6 } });
    const bidi = client.Reserve();
    const replies = collect(bidi);
    bidi.write({ sku: 'x', delta: 2 });
    bidi.write({ sku: 'y', delta: 3 });
    bidi.end();
    expect((await replies).map((i) => `${i.sku}:${i.stock}`)).toEqual(['x:2', 'y:3']);
  });

  it('status with message, deadline, cancellation', async () => {
    const err = await unary(client, 'GetItem', { sku: 'x', failCode: 5, failMessage: 'no such sku ✓' }).catch(
      (e) => e,
    );
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    expect(err.details).toBe('no such sku ✓');
    const late = await unary(client, 'GetItem', { sku: 's', delayMs: 5000 }, new grpc.Metadata(), {
      deadline: Date.now() + 100,
    }).catch((e) => e);
    expect(late.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    const cancelled = new Promise((resolve) => {
      const call = client.GetItem({ sku: 'c', delayMs: 5000 }, (e: grpc.ServiceError) => resolve(e.code));
      setTimeout(() => call.cancel(), 50);
    });
    expect(await cancelled).toBe(grpc.status.CANCELLED);
    for (let i = 0; i < 100 && !seen.cancelled.includes('getItem'); i++) await sleep(10);
    expect(seen.cancelled).toContain('getItem');
  });
});

describe.each([
  ['identity', undefined],
  ['gzip', { thresholdBytes: 1 }],
] as const)('weft client → grpc-js (proto-loader) server, %s', (_name, compression) => {
  let server: grpc.Server;
  let target: string;
  let cancelled = 0;

  beforeAll(async () => {
    server = new grpc.Server({ 'grpc.default_compression_algorithm': 2 });
    server.addService(InventoryClient.service, {
      GetItem: (call: GrpcClient, cb: grpc.sendUnaryData<object>) => {
        const req = call.request;
        if (req.failCode) return cb({ code: req.failCode, details: req.failMessage });
        const token = call.metadata.get('x-token')[0];
        if (token !== undefined) {
          const md = new grpc.Metadata();
          md.set('x-token-seen', String(token));
          call.sendMetadata(md);
        }
        const reply = () => {
          const trailer = new grpc.Metadata();
          const bin = call.metadata.get('x-trace-bin')[0];
          if (bin !== undefined) trailer.set('x-trace-bin', bin);
          cb(null, { sku: req.sku, name: `grpc ${req.sku}`, tags: ['t'], country: 'NL' }, trailer);
        };
        if (req.delayMs > 0) {
          const t = setTimeout(reply, req.delayMs);
          call.on('cancelled', () => {
            clearTimeout(t);
            cancelled++;
          });
        } else reply();
      },
      ListItems: (call: GrpcClient) => {
        for (let i = 0; i < call.request.count; i++) call.write({ sku: `${call.request.prefix}${i}` });
        call.end();
      },
      RecordChanges: (call: GrpcClient, cb: grpc.sendUnaryData<object>) => {
        let n = 0;
        let total = 0;
        call.on('data', (c: { delta: number }) => {
          n++;
          total += c.delta;
        });
        call.on('end', () => cb(null, { changes: n, totalDelta: total }));
      },
      Reserve: (call: GrpcClient) => {
        call.on('data', (c: { sku: string; delta: number }) => call.write({ sku: c.sku, stock: c.delta }));
        call.on('end', () => call.end());
      },
      Echo: (call: GrpcClient, cb: grpc.sendUnaryData<object>) => cb(null, call.request),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    target = `static:///127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  const options = () => ({ target, ...(compression === undefined ? {} : { compression }) });

  it('unary, with metadata both ways', async () => {
    const client = createClient(Inventory, options());
    let headers: unknown;
    let trailers: unknown;
    const item = await client.getItem(
      { sku: 'A' },
      {
        timeoutMs: 5000,
        metadata: { 'x-token': 'abc', 'x-trace-bin': new Uint8Array([9, 0, 255]) },
        onHeaders: (m) => (headers = m.get('x-token-seen')),
        onTrailers: (m) => (trailers = m.get('x-trace-bin')),
      },
    );
    expect(item).toMatchObject({
      sku: 'A',
      name: 'grpc A',
      tags: ['t'],
      origin: { case: 'country', value: 'NL' },
    });
    expect(headers).toBe('abc');
    expect(Array.from(trailers as Uint8Array)).toEqual([9, 0, 255]);
    client.close();
  });

  it('server streaming, client streaming and bidi', async () => {
    const client = createClient(Inventory, options());
    const listed: string[] = [];
    for await (const item of client.listItems({ prefix: 'q', count: 3 })) listed.push(item.sku);
    expect(listed).toEqual(['q0', 'q1', 'q2']);
    expect(
      await client.recordChanges([
        { sku: 'a', delta: 2 },
        { sku: 'b', delta: 5 },
      ]),
    ).toMatchObject({
      changes: 2,
      totalDelta: 7,
    });
    const out: string[] = [];
    for await (const item of client.reserve([
      { sku: 'r', delta: 1 },
      { sku: 's', delta: 2 },
    ]))
      out.push(`${item.sku}:${item.stock}`);
    expect(out).toEqual(['r:1', 's:2']);
    client.close();
  });

  it('status with message, deadline, cancellation', async () => {
    const client = createClient(Inventory, options());
    const err = await client.getItem({ sku: 'x', failCode: 9, failMessage: 'not now' }).catch((e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(Status.FAILED_PRECONDITION);
    expect(err.message).toBe('not now');
    const late = await client.getItem({ sku: 's', delayMs: 5000 }, { timeoutMs: 100 }).catch((e) => e);
    expect(late.code).toBe(Status.DEADLINE_EXCEEDED);
    const before = cancelled;
    const controller = new AbortController();
    const pending = client
      .getItem({ sku: 'c', delayMs: 5000 }, { signal: controller.signal })
      .catch((e) => e);
    setTimeout(() => controller.abort(), 50);
    expect((await pending).code).toBe(Status.CANCELLED);
    for (let i = 0; i < 100 && cancelled === before; i++) await sleep(10);
    expect(cancelled).toBeGreaterThan(before);
    client.close();
  });
});
