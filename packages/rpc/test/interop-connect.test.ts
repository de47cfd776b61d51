/**
 * Interop with Connect-ES (@connectrpc/connect-node, gRPC protocol) on the same protobuf-es
 * generated code: a Connect client calls a weft server, and a weft client calls a Connect server
 * (connectNodeAdapter on node:http2) — the four call shapes, metadata (text and -bin), deadlines,
 * cancellation, status with google.rpc details read with Connect's own API, and gzip both ways.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import {
  Code,
  ConnectError,
  type ConnectRouter,
  createClient as createConnectClient,
  decodeBinaryHeader,
  encodeBinaryHeader,
} from '@connectrpc/connect';
import { compressionGzip, connectNodeAdapter, createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createServer, decodeDetail, RpcError, type Server, Status } from '../src/index.js';
import { sleep } from './fixtures.js';
import { ErrorInfoSchema, RetryInfoSchema } from './gen/google/rpc/error_details_pb.js';
import { Inventory } from './gen/weft/test/v1/inventory_pb.js';
import { type InventorySeen, inventoryImpl } from './inventory-impl.js';

async function* changes(n: number) {
  for (let i = 0; i < n; i++) yield { sku: `s${i % 2}`, delta: i + 1 };
}

describe.each([
  ['identity', false],
  ['gzip', true],
] as const)('Connect-ES gRPC client → weft server, %s', (_name, gzip) => {
  let server: Server;
  let client: ReturnType<typeof createConnectClient<typeof Inventory>>;
  const seen: InventorySeen = { cancelled: [], metadata: [] };

  beforeAll(async () => {
    server = createServer({ compression: { thresholdBytes: 1 } });
    server.add(Inventory, inventoryImpl(seen));
    const { port } = await server.listen({ transport: 'mux' });
    const transport = createGrpcTransport({
      baseUrl: `http://127.0.0.1:${port}`,
      ...(gzip ? { sendCompression: compressionGzip, acceptCompression: [compressionGzip] } : {}),
    });
    client = createConnectClient(Inventory, transport);
  });
  afterAll(() => server.close({ graceMs: 100 }));

  it('unary, with metadata both ways', async () => {
    let headers: Headers | undefined;
    let trailers: Headers | undefined;
    const item = await client.getItem(
      { sku: 'A-1' },
      {
        headers: { 'x-token': 'abc', 'x-trace-bin': encodeBinaryHeader(new Uint8Array([1, 2, 255])) },
        onHeader: (h) => (headers = h),
        onTrailer: (t) => (trailers = t),
        timeoutMs: 5000,
      },
    );
    expect(item).toMatchObject({
      $typeName: 'weft.test.v1.Item',
      sku: 'A-1',
      name: 'item A-1',
      stock: 7,
      tags: ['a', 'b'],
      size: { width: 1.5, height: 2 },
      origin: { case: 'warehouseId', value: 42n },
    });
    expect(headers?.get('x-token-seen')).toBe('abc');
    expect([...decodeBinaryHeader(trailers!.get('x-trace-bin')!)]).toEqual([1, 2, 255]);
    expect(seen.metadata.at(-1)?.['x-token']).toBe('abc');
    expect(seen.metadata.at(-1)?.['x-trace-bin']).toEqual(new Uint8Array([1, 2, 255]));
  });

  it('server streaming, client streaming and bidi', async () => {
    const listed: string[] = [];
    for await (const item of client.listItems({ prefix: 'p', count: 4 })) listed.push(item.sku);
    expect(listed).toEqual(['p0', 'p1', 'p2', 'p3']);
    const summary = await client.recordChanges(changes(4));
    expect(summary).toMatchObject({ changes: 4, totalDelta: 10, bySku: { s0: 4, s1: 6 } });
    const reserved: string[] = [];
    for await (const item of client.reserve(changes(3))) reserved.push(`${item.sku}:${item.stock}`);
    expect(reserved).toEqual(['s0:1', 's1:2', 's0:3']);
  });

  it('status with message and details, deadline, cancellation', async () => {
    const err = await client.getItem({ sku: 'x', failCode: 5, failMessage: 'no such sku ✓' }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect([err.code, err.rawMessage]).toEqual([Code.NotFound, 'no such sku ✓']);
    const rich = await client.getItem({ sku: 'x', failCode: 9, failMessage: 'with details' }).catch((e) => e);
    expect(rich.code).toBe(Code.FailedPrecondition);
    expect(rich.findDetails(ErrorInfoSchema)).toMatchObject([
      { reason: 'OUT_OF_STOCK', domain: 'inventory.weft', metadata: { sku: 'x' } },
    ]);
    expect(rich.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({
      seconds: 2n,
      nanos: 500_000_000,
    });
    const late = await client.getItem({ sku: 's', delayMs: 5000 }, { timeoutMs: 100 }).catch((e) => e);
    expect(late.code).toBe(Code.DeadlineExceeded);
    const abort = new AbortController();
    const call = client.getItem({ sku: 'c', delayMs: 5000 }, { signal: abort.signal }).catch((e) => e);
    setTimeout(() => abort.abort(), 50);
    expect((await call).code).toBe(Code.Canceled);
    for (let i = 0; i < 100 && !seen.cancelled.includes('getItem'); i++) await sleep(10);
    expect(seen.cancelled).toContain('getItem');
  });
});

/** A Connect-ES implementation of Inventory, written with Connect's handler API. */
function connectRoutes(seen: { cancelled: number; encodings: string[] }) {
  return (router: ConnectRouter) =>
    router.service(Inventory, {
      async getItem(req, ctx) {
        seen.encodings.push(ctx.requestHeader.get('grpc-encoding') ?? 'identity');
        const token = ctx.requestHeader.get('x-token');
        if (token !== null) ctx.responseHeader.set('x-token-seen', token);
        const bin = ctx.requestHeader.get('x-trace-bin');
        if (bin !== null) ctx.responseTrailer.set('x-trace-bin', bin);
        if (req.failCode !== 0) {
          throw new ConnectError(req.failMessage, req.failCode as Code, undefined, [
            {
              desc: ErrorInfoSchema,
              value: { reason: 'CONNECT', domain: 'connect.test', metadata: { k: 'v' } },
            },
          ]);
        }
        if (req.delayMs > 0) {
          await new Promise<void>((resolve, reject) => {
            const t = setTimeout(resolve, req.delayMs);
            ctx.signal.addEventListener('abort', () => {
              clearTimeout(t);
              seen.cancelled++;
              reject(ctx.signal.reason);
            });
          });
        }
        return {
          sku: req.sku,
          name: `connect ${req.sku}`,
          tags: ['c'],
          origin: { case: 'country', value: 'NL' },
        };
      },
      async *listItems(req) {
        for (let i = 0; i < req.count; i++) yield { sku: `${req.prefix}${i}` };
      },
      async recordChanges(reqs) {
        let changes = 0;
        let totalDelta = 0;
        for await (const c of reqs) {
          changes++;
          totalDelta += c.delta;
        }
        return { changes, totalDelta };
      },
      async *reserve(reqs) {
        for await (const c of reqs) yield { sku: c.sku, stock: c.delta };
      },
      echo: (item) => item,
    });
}

describe.each([
  ['identity', undefined],
  ['gzip', { thresholdBytes: 1 }],
] as const)('weft client → Connect-ES server (connectNodeAdapter on node:http2), %s', (name, compression) => {
  let server: http2.Http2Server;
  let target: string;
  const seen = { cancelled: 0, encodings: [] as string[] };

  beforeAll(async () => {
    const handler = connectNodeAdapter({
      routes: connectRoutes(seen),
      grpc: true,
      connect: false,
      grpcWeb: false,
      acceptCompression: [compressionGzip],
    });
    server = http2.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `static:///127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const options = () => ({ target, ...(compression === undefined ? {} : { compression }) });

  it('unary, with metadata both ways', async () => {
    const client = createClient(Inventory, options());
    let headers: Record<string, unknown> = {};
    let trailers: Record<string, unknown> = {};
    const item = await client.getItem(
      { sku: 'A-1' },
      {
        metadata: { 'x-token': 'abc', 'x-trace-bin': new Uint8Array([1, 2, 255]) },
        onHeaders: (h) => (headers = Object.fromEntries(h.entries())),
        onTrailers: (t) => (trailers = Object.fromEntries(t.entries())),
        timeoutMs: 5000,
      },
    );
    expect(item).toMatchObject({
      sku: 'A-1',
      name: 'connect A-1',
      tags: ['c'],
      origin: { case: 'country', value: 'NL' },
    });
    expect(headers['x-token-seen']).toBe('abc');
    expect(trailers['x-trace-bin']).toEqual(new Uint8Array([1, 2, 255]));
    expect(seen.encodings.at(-1)).toBe(name);
    client.close();
  });

  it('server streaming, client streaming and bidi', async () => {
    const client = createClient(Inventory, options());
    const listed: string[] = [];
    for await (const item of client.listItems({ prefix: 'q', count: 3 })) listed.push(item.sku);
    expect(listed).toEqual(['q0', 'q1', 'q2']);
    expect(await client.recordChanges(changes(4))).toMatchObject({ changes: 4, totalDelta: 10 });
    const reserved: string[] = [];
    for await (const item of client.reserve(changes(3))) reserved.push(`${item.sku}:${item.stock}`);
    expect(reserved).toEqual(['s0:1', 's1:2', 's0:3']);
    client.close();
  });

  it('status with message and details, deadline, cancellation', async () => {
    const client = createClient(Inventory, options());
    const err = await client.getItem({ sku: 'x', failCode: 7, failMessage: 'not yours ✓' }).catch((e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect([err.code, err.message]).toEqual([Status.PERMISSION_DENIED, 'not yours ✓']);
    expect(err.details.map((d: { typeUrl: string }) => d.typeUrl)).toEqual([
      'type.googleapis.com/google.rpc.ErrorInfo',
    ]);
    expect(decodeDetail(err.details[0])).toEqual({
      type: 'google.rpc.ErrorInfo',
      reason: 'CONNECT',
      domain: 'connect.test',
      metadata: { k: 'v' },
    });
    const late = await client.getItem({ sku: 's', delayMs: 5000 }, { timeoutMs: 100 }).catch((e) => e);
    expect(late.code).toBe(Status.DEADLINE_EXCEEDED);
    const abort = new AbortController();
    const call = client.getItem({ sku: 'c', delayMs: 5000 }, { signal: abort.signal }).catch((e) => e);
    setTimeout(() => abort.abort(), 50);
    expect((await call).code).toBe(Status.CANCELLED);
    for (let i = 0; i < 100 && seen.cancelled === 0; i++) await sleep(10);
    expect(seen.cancelled).toBe(1);
    client.close();
  });
});
