/**
 * Interop with Python grpcio (Debian python3-grpcio, stubs generated at test time by
 * grpc_tools.protoc from the same .proto files): a Python client calls a weft server — the four
 * call shapes, metadata text and -bin, status with a UTF-8 message, deadline, cancellation, gzip,
 * and the standard grpc.health.v1 Check and Watch — and a weft client calls a Python server.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createServer, decodeDetail, type Server, Status } from '../src/index.js';
import { sleep } from './fixtures.js';
import { Catalog } from './gen/weft/test/v1/catalog_pb.js';
import { Inventory } from './gen/weft/test/v1/inventory_pb.js';
import { type InventorySeen, inventoryImpl } from './inventory-impl.js';
import { debianPython } from './system.js';

const python = debianPython(['grpc', 'grpc_tools'], 'interop with Python grpcio');
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const script = here('./python/interop.py');

describe.skipIf(python === undefined)('Python grpcio', () => {
  let gen: string;
  beforeAll(() => {
    gen = mkdtempSync(join(tmpdir(), 'weft-py-'));
    const protoc = (include: string, file: string) =>
      execFileSync(python!, [
        '-m',
        'grpc_tools.protoc',
        `-I${include}`,
        `--python_out=${gen}`,
        `--grpc_python_out=${gen}`,
        file,
      ]);
    protoc(here('./proto'), 'weft/test/v1/inventory.proto');
    protoc(here('../proto/grpc/health/v1'), 'health.proto');
    protoc(here('../proto/grpc/reflection/v1'), 'reflection.proto');
    const wkt = execFileSync(
      python!,
      ['-c', 'import grpc_tools, os; print(os.path.dirname(grpc_tools.__file__))'],
      {
        encoding: 'utf8',
      },
    ).trim();
    for (const file of ['status.proto', 'error_details.proto']) {
      execFileSync(python!, [
        '-m',
        'grpc_tools.protoc',
        `-I${here('../proto/google/rpc')}`,
        `-I${wkt}/_proto`,
        `--python_out=${gen}`,
        file,
      ]);
    }
  });
  afterAll(() => rmSync(gen, { recursive: true, force: true }));

  describe('Python client → weft server', () => {
    let server: Server;
    const seen: InventorySeen = { cancelled: [], metadata: [] };
    beforeAll(async () => {
      server = createServer({ compression: { thresholdBytes: 1 } });
      server.add(Inventory, inventoryImpl(seen));
    });
    afterAll(() => server.close({ graceMs: 100 }));

    it('every call shape, metadata, status, deadline, cancellation, gzip and health', async () => {
      const { port } = await server.listen({ transport: 'mux' });
      // Asynchronously: the weft server runs in this process.
      const { stdout } = await promisify(execFile)(python!, [script, gen, 'client', `127.0.0.1:${port}`]);
      const out = JSON.parse(stdout);
      expect(out.unary).toEqual({
        sku: 'A-1',
        name: 'item A-1',
        tags: ['a', 'b'],
        warehouse: 42,
        width: 1.5,
      });
      expect(out.headers).toEqual({ 'x-token-seen': 'abc' });
      expect(out.trailer_bin).toEqual([[0, 1, 255]]);
      expect(out.list).toEqual(['p0', 'p1', 'p2']);
      expect(out.summary).toEqual({ changes: 2, total: 5, by_sku: { a: 2, b: 3 } });
      expect(out.bidi).toEqual(['x:1', 'y:2']);
      expect(out.status).toEqual(['NOT_FOUND', 'no such sku ✓']);
      expect(out.details).toEqual({
        code: 9,
        message: 'with details',
        details: [
          { reason: 'OUT_OF_STOCK', domain: 'inventory.weft', metadata: { sku: 'x' } },
          { retry_ms: 2500 },
          { violations: [['sku', 'unknown ✓']] },
        ],
      });
      expect(out.deadline).toBe('DEADLINE_EXCEEDED');
      expect(out.cancelled).toBe(true);
      for (let i = 0; i < 100 && !seen.cancelled.includes('getItem'); i++) await sleep(10);
      expect(seen.cancelled).toContain('getItem');
      expect(out.health).toBe('SERVING');
      expect(out.health_service).toBe('SERVING');
      expect(out.health_unknown).toBe('NOT_FOUND');
      expect(out.health_watch).toBe('SERVING');
    });
  });

  it('a Python reflection client lists, describes and calls a weft service from the reflected files', async () => {
    const server = createServer()
      .add(Inventory, inventoryImpl({ cancelled: [], metadata: [] }))
      .add(Catalog, { getListing: (req) => ({ item: { sku: req.sku } }) });
    try {
      const { port } = await server.listen({ transport: 'mux' });
      const { stdout } = await promisify(execFile)(python!, [
        here('./python/reflection_client.py'),
        gen,
        `127.0.0.1:${port}`,
      ]);
      expect(JSON.parse(stdout)).toEqual({
        services: [
          'grpc.health.v1.Health',
          'grpc.reflection.v1.ServerReflection',
          'grpc.reflection.v1alpha.ServerReflection',
          'weft.test.v1.Catalog',
          'weft.test.v1.Inventory',
        ],
        not_found: [Status.NOT_FOUND, 'no symbol "weft.test.v1.Nope" is known'],
        files: [
          'google/protobuf/descriptor.proto',
          'google/protobuf/timestamp.proto',
          'weft/test/v1/catalog.proto',
          'weft/test/v1/inventory.proto',
        ],
        item: { sku: 'PY-1', name: 'item PY-1', tags: ['a', 'b'] },
        listing_fields: ['item', 'listed_at', 'state'],
        audit_note: 50001,
      });
    } finally {
      await server.close({ graceMs: 100 });
    }
  });

  describe('weft client → Python server', () => {
    let child: ChildProcess;
    let target: string;
    const lines: string[] = [];
    beforeAll(async () => {
      child = spawn(python!, [script, gen, 'server'], { stdio: ['pipe', 'pipe', 'inherit'] });
      const rl = createInterface({ input: child.stdout! });
      const port = await new Promise<string>((resolve) => rl.once('line', resolve));
      rl.on('line', (l) => lines.push(l));
      target = `static:///127.0.0.1:${port}`;
    });
    afterAll(() => {
      child.stdin?.end();
      child.kill();
    });

    it('every call shape, metadata, status, deadline, cancellation, gzip', async () => {
      const client = createClient(Inventory, { target, compression: { thresholdBytes: 1 } });
      let headers: unknown;
      let trailers: unknown;
      const item = await client.getItem(
        { sku: 'A' },
        {
          timeoutMs: 5000,
          metadata: { 'x-token': 'abc', 'x-trace-bin': new Uint8Array([7, 0, 255]) },
          onHeaders: (m) => (headers = m.get('x-token-seen')),
          onTrailers: (m) => (trailers = m.get('x-trace-bin')),
        },
      );
      expect(item).toMatchObject({
        sku: 'A',
        name: 'py A',
        tags: ['p'],
        origin: { case: 'country', value: 'NL' },
      });
      expect(headers).toBe('abc');
      expect(Array.from(trailers as Uint8Array)).toEqual([7, 0, 255]);
      const listed: string[] = [];
      for await (const i of client.listItems({ prefix: 'q', count: 3 })) listed.push(i.sku);
      expect(listed).toEqual(['q0', 'q1', 'q2']);
      expect(
        await client.recordChanges([
          { sku: 'a', delta: 2 },
          { sku: 'a', delta: 5 },
        ]),
      ).toMatchObject({
        changes: 2,
        totalDelta: 7,
        bySku: { a: 7 },
      });
      const out: string[] = [];
      for await (const i of client.reserve([{ sku: 'r', delta: 1 }])) out.push(`${i.sku}:${i.stock}`);
      expect(out).toEqual(['r:1']);
      const err = await client.getItem({ sku: 'x', failCode: 7, failMessage: 'nope ✓' }).catch((e) => e);
      expect([err.code, err.message]).toEqual([Status.PERMISSION_DENIED, 'nope ✓']);
      const rich = await client
        .getItem({ sku: 'x', failCode: 9, failMessage: 'with details' })
        .catch((e) => e);
      expect(rich.code).toBe(Status.FAILED_PRECONDITION);
      expect(rich.details.map(decodeDetail)).toEqual([
        { type: 'google.rpc.ErrorInfo', reason: 'PY', domain: 'python.test', metadata: { k: 'v' } },
      ]);
      const late = await client.getItem({ sku: 's', delayMs: 5000 }, { timeoutMs: 200 }).catch((e) => e);
      expect(late.code).toBe(Status.DEADLINE_EXCEEDED);
      const controller = new AbortController();
      const pending = client
        .getItem({ sku: 'c', delayMs: 5000 }, { signal: controller.signal })
        .catch((e) => e);
      setTimeout(() => controller.abort(), 100);
      expect((await pending).code).toBe(Status.CANCELLED);
      for (let i = 0; i < 200 && !lines.includes('CANCELLED'); i++) await sleep(10);
      expect(lines).toContain('CANCELLED');
      client.close();
    });
  });
});
