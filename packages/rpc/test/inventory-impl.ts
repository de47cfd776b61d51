/** An implementation of the protobuf-es Inventory service (test/proto), shared by the protobuf tests. */
import { create } from '@bufbuild/protobuf';
import type { MethodsOf } from '../src/index.js';
import { errorDetails, RpcError, type ServiceImplementation, type Status } from '../src/index.js';
import { type Inventory, ItemSchema } from './gen/weft/test/v1/inventory_pb.js';

type Methods = MethodsOf<typeof Inventory>;

/** The details `getItem` fails with when asked to fail 'with details'. */
export const richDetails = [
  errorDetails.errorInfo({ reason: 'OUT_OF_STOCK', domain: 'inventory.weft', metadata: { sku: 'x' } }),
  errorDetails.retryInfo({ retryDelayMs: 2500 }),
  errorDetails.badRequest({ fieldViolations: [{ field: 'sku', description: 'unknown ✓' }] }),
];

/** What the handlers saw, for the server-side assertions. */
export interface InventorySeen {
  cancelled: string[];
  metadata: Record<string, unknown>[];
}

export function inventoryImpl(seen: InventorySeen): ServiceImplementation<Methods> {
  return {
    async getItem(req, ctx) {
      seen.metadata.push(Object.fromEntries(ctx.metadata.entries()));
      const token = ctx.metadata.get('x-token');
      if (token !== undefined) ctx.setHeader('x-token-seen', String(token));
      const bin = ctx.metadata.get('x-trace-bin');
      if (bin instanceof Uint8Array) ctx.setTrailer('x-trace-bin', bin);
      if (req.delayMs > 0) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, req.delayMs);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            seen.cancelled.push('getItem');
            reject(ctx.signal.reason);
          });
        });
      }
      if (req.failCode !== 0) {
        const details = req.failMessage === 'with details' ? richDetails : [];
        throw new RpcError(req.failCode as Status, req.failMessage, { details });
      }
      // An init shape: a plain object, nested message and oneof included.
      return {
        sku: req.sku,
        name: `item ${req.sku}`,
        stock: 7,
        tags: ['a', 'b'],
        size: { width: 1.5, height: 2 },
        origin: { case: 'warehouseId', value: 42n },
      };
    },
    async *listItems(req) {
      for (let i = 0; i < req.count; i++) {
        // A full message from create(), mixed with init shapes.
        yield i % 2 === 0
          ? create(ItemSchema, { sku: `${req.prefix}${i}`, stock: i })
          : { sku: `${req.prefix}${i}` };
      }
    },
    async recordChanges(changes) {
      const bySku: Record<string, number> = {};
      let count = 0;
      let total = 0;
      for await (const c of changes) {
        count++;
        total += c.delta;
        bySku[c.sku] = (bySku[c.sku] ?? 0) + c.delta;
      }
      return { changes: count, totalDelta: total, bySku };
    },
    async *reserve(changes, ctx) {
      try {
        for await (const c of changes) yield { sku: c.sku, stock: c.delta };
      } finally {
        if (ctx.signal.aborted) seen.cancelled.push('reserve');
      }
    },
    echo: (item) => item,
  };
}
