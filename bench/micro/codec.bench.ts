/**
 * RPC message codecs, side by side in one run: encode + decode of a typical call message (an order
 * with twenty line items) with @weft/rpc's default msgpack codec (plain MessagePack), its opt-in
 * msgpackr records (`useRecords: true`, subtype `msgpackr`), plain msgpackr `pack`/`unpack` (what a
 * grpc-js user with msgpackr serializers writes), protobuf-es on the same order as a .proto message
 * (bench/proto/weft/bench/v1/order.proto; `create` + `toBinary`, then `fromBinary`, as weft's
 * protobuf services do) and @weft/rpc's JSON codec (JSON as UTF-8 bytes), in messages per second.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { jsonCodec, msgpackCodec } from '@weft/rpc';
import { pack, unpack } from 'msgpackr';
import { OrderSchema } from '../src/gen/weft/bench/v1/order_pb.js';
import type { MicroGroup } from '../src/micro.js';

const MESSAGES = 1000;

const order = {
  id: 184_467,
  customer: 'c-00042',
  placedAt: '2026-11-21T23:30:00.000Z',
  tags: ['priority', 'gift'],
  items: Array.from({ length: 20 }, (_, i) => ({ sku: `sku-${1000 + i}`, qty: (i % 3) + 1, price: 9.5 + i })),
};

/** The same order as protobuf-es's init shape (int64 as bigint, snake_case as lowerCamelCase). */
const protoOrder = { ...order, id: BigInt(order.id) };

function protoRoundTrips(): number {
  let n = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const back = fromBinary(OrderSchema, toBinary(OrderSchema, create(OrderSchema, protoOrder)));
    if (back.items.length === 20) n++;
  }
  return n;
}

function roundTrips(encode: (v: unknown) => Uint8Array, decode: (b: Uint8Array) => unknown): number {
  let n = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const back = decode(encode(order)) as typeof order;
    if (back.items.length === 20) n++;
  }
  return n;
}

/** The codec micro suite. */
export function codecGroups(): MicroGroup[] {
  const weft = msgpackCodec();
  const records = msgpackCodec({ useRecords: true });
  return [
    {
      suite: 'codec',
      title: `encode + decode ${MESSAGES} order messages (20 line items)`,
      unit: 'messages',
      cases: [
        {
          name: 'msgpackr pack/unpack (defaults)',
          baseline: true,
          unitsPerOp: MESSAGES,
          expect: MESSAGES,
          fn: () => roundTrips(pack, unpack),
        },
        {
          name: 'weft msgpackCodec (default: plain MessagePack)',
          unitsPerOp: MESSAGES,
          expect: MESSAGES,
          fn: () => roundTrips(weft.encode, weft.decode),
        },
        {
          name: 'weft msgpackCodec({ useRecords: true }) (msgpackr)',
          unitsPerOp: MESSAGES,
          expect: MESSAGES,
          fn: () => roundTrips(records.encode, records.decode),
        },
        {
          name: 'protobuf-es create/toBinary/fromBinary (the order as a .proto message)',
          unitsPerOp: MESSAGES,
          expect: MESSAGES,
          fn: protoRoundTrips,
        },
        {
          name: 'weft jsonCodec',
          unitsPerOp: MESSAGES,
          expect: MESSAGES,
          fn: () => roundTrips(jsonCodec.encode, jsonCodec.decode),
        },
      ],
    },
  ];
}
