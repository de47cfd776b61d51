/**
 * Services straight from protobuf-es: the generated `GenService` served and called with no
 * wrapper on every transport — the four call shapes, init shapes in, message shapes out,
 * unknown fields kept, proto binary on the wire, an encoding mismatch named.
 */
import { create, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type Client,
  createClient,
  createServer,
  defineService,
  type MethodsOf,
  msgpackCodec,
  RpcError,
  rawCodec,
  type Server,
  Status,
  unary,
} from '../src/index.js';
import { TRANSPORTS } from './fixtures.js';
import { Inventory, type Item, ItemSchema, type StockChangeSchema } from './gen/weft/test/v1/inventory_pb.js';
import { type InventorySeen, inventoryImpl } from './inventory-impl.js';

async function* changes(n: number) {
  for (let i = 0; i < n; i++) yield { sku: `s${i % 2}`, delta: i + 1 };
}

describe.each(TRANSPORTS)('protobuf-es services over %s', (transport) => {
  let server: Server;
  let target: string;
  const seen: InventorySeen = { cancelled: [], metadata: [] };

  beforeAll(async () => {
    server = createServer();
    server.add(Inventory, inventoryImpl(seen));
    const addr = await server.listen({ transport });
    target = `static:///127.0.0.1:${addr.port}`;
  });
  afterAll(() => server.close({ graceMs: 100 }));

  it('unary: an init-shape request, a message-shape response', async () => {
    const client = createClient(Inventory, { target, transport });
    const item = await client.getItem({ sku: 'A-1' }, { timeoutMs: 5000 });
    expect(item.$typeName).toBe('weft.test.v1.Item');
    expect(item).toMatchObject({
      sku: 'A-1',
      name: 'item A-1',
      stock: 7,
      tags: ['a', 'b'],
      size: { width: 1.5, height: 2 },
      origin: { case: 'warehouseId', value: 42n },
    });
    // A full message is accepted as a request too.
    expect((await client.getItem(create(ItemSchema, { sku: 'B' }) as never)).sku).toBe('B');
    client.close();
  });

  it('server streaming, client streaming and bidi', async () => {
    const client = createClient(Inventory, { target, transport });
    const listed: string[] = [];
    for await (const item of client.listItems({ prefix: 'p', count: 5 })) listed.push(item.sku);
    expect(listed).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    const empty: Item[] = [];
    for await (const item of client.listItems({ prefix: 'p', count: 0 })) empty.push(item);
    expect(empty).toEqual([]);

    const summary = await client.recordChanges(changes(4));
    expect(summary).toMatchObject({ changes: 4, totalDelta: 10, bySku: { s0: 4, s1: 6 } });

    const reserved: string[] = [];
    for await (const item of client.reserve(changes(3))) reserved.push(`${item.sku}:${item.stock}`);
    expect(reserved).toEqual(['s0:1', 's1:2', 's0:3']);
    client.close();
  });

  it('status, message, metadata (text and -bin) and deadlines as for any service', async () => {
    const client = createClient(Inventory, { target, transport });
    const err = await client
      .getItem({ sku: 'x', failCode: Status.NOT_FOUND, failMessage: 'no such sku' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(Status.NOT_FOUND);
    expect(err.message).toBe('no such sku');

    let headers: unknown;
    let trailers: unknown;
    await client.getItem(
      { sku: 'm' },
      {
        metadata: { 'x-token': 'abc', 'x-trace-bin': new Uint8Array([0, 255]) },
        onHeaders: (m) => (headers = m.get('x-token-seen')),
        onTrailers: (m) => (trailers = m.get('x-trace-bin')),
      },
    );
    expect(headers).toBe('abc');
    expect(Array.from(trailers as Uint8Array)).toEqual([0, 255]);

    const late = await client.getItem({ sku: 'slow', delayMs: 5000 }, { timeoutMs: 100 }).catch((e) => e);
    expect(late.code).toBe(Status.DEADLINE_EXCEEDED);
    client.close();
  });

  it('fields the schema does not know are kept and sent back', async () => {
    // Raw bytes under the proto subtype: an Item plus field 99 (varint 5), which Item does not have.
    const Raw = defineService(
      'weft.test.v1.Inventory',
      { echo: unary<Uint8Array, Uint8Array>({ name: 'Echo' }) },
      { codec: { ...rawCodec, name: 'proto' } },
    );
    const raw = createClient(Raw, { target, transport });
    const known = toBinary(ItemSchema, create(ItemSchema, { sku: 'u', stock: 3 }));
    const sent = new Uint8Array([...known, 0x98, 0x06, 0x05]);
    const back = await raw.echo(sent, { timeoutMs: 5000 });
    expect(Array.from(back)).toEqual(Array.from(sent));
    const unknown = fromBinary(ItemSchema, back).$unknown ?? [];
    expect(unknown.map((u) => [u.no, u.wireType, Array.from(u.data)])).toEqual([[99, 0, [5]]]);
    raw.close();
  });

  it('a msgpack request to a proto method is refused by name', async () => {
    const Wrong = defineService(
      'weft.test.v1.Inventory',
      { getItem: unary<object, object>({ name: 'GetItem' }) },
      { codec: msgpackCodec() },
    );
    const wrong = createClient(Wrong, { target, transport });
    const err = await wrong.getItem({ sku: 'x' }, { timeoutMs: 5000 }).catch((e) => e);
    expect(err.code).toBe(Status.UNIMPLEMENTED);
    expect(err.message).toBe(
      'the request was sent as application/grpc+msgpack; /weft.test.v1.Inventory/GetItem speaks proto',
    );
    wrong.close();
  });
});

describe('protobuf-es service types', () => {
  it('are inferred from the generated code', () => {
    type C = Client<MethodsOf<typeof Inventory>>;
    const made = () => createClient(Inventory, { target: 'static:///127.0.0.1:1' });
    expectTypeOf<ReturnType<typeof made>>().toEqualTypeOf<C>();
    expectTypeOf<Parameters<C['getItem']>[0]>().toEqualTypeOf<
      import('@bufbuild/protobuf').MessageInitShape<
        typeof import('./gen/weft/test/v1/inventory_pb.js').GetItemRequestSchema
      >
    >();
    expectTypeOf<Awaited<ReturnType<C['getItem']>>>().toEqualTypeOf<Item>();
    expectTypeOf<ReturnType<C['listItems']>>().toMatchTypeOf<AsyncIterable<Item>>();
    expectTypeOf<MessageShape<typeof StockChangeSchema>>().toHaveProperty('delta');
    // @ts-expect-error — a field the request does not have
    expectTypeOf<C['getItem']>().toBeCallableWith({ nope: 1 });
  });
});
