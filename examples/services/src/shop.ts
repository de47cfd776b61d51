/**
 * The server side of the contract: one implementation of `Shop`, typed by it, used by every
 * example. Errors a caller should see are `RpcError`s with a status; anything else thrown becomes
 * `INTERNAL` without leaking its message.
 */
import { type MethodsOf, RpcError, type ServiceImplementation, Status } from '@weft/rpc';
import type { Shop } from './contract.js';

const PRICES: Record<string, number> = { tea: 450, cake: 320 };

export function shop(server = 'shop'): ServiceImplementation<MethodsOf<typeof Shop>> {
  const stock: Record<string, number> = { tea: 5, cake: 3 };
  let orders = 0;
  return {
    price({ sku }) {
      const cents = PRICES[sku];
      if (cents === undefined) throw new RpcError(Status.NOT_FOUND, `no such sku: ${sku}`);
      return { sku, cents, server };
    },
    placeOrder({ sku, quantity }) {
      const cents = PRICES[sku];
      if (cents === undefined) throw new RpcError(Status.NOT_FOUND, `no such sku: ${sku}`);
      if (!Number.isInteger(quantity) || quantity < 1) {
        throw new RpcError(Status.INVALID_ARGUMENT, 'quantity must be a positive integer');
      }
      if ((stock[sku] ?? 0) < quantity)
        throw new RpcError(Status.FAILED_PRECONDITION, `only ${stock[sku]} ${sku} left`);
      stock[sku] = (stock[sku] ?? 0) - quantity;
      return { orderId: `${server}-${++orders}`, totalCents: cents * quantity };
    },
    async *watchStock({ sku }, ctx) {
      if (stock[sku] === undefined) throw new RpcError(Status.NOT_FOUND, `no such sku: ${sku}`);
      // A toy change feed: the level now and after each of a few sales, then the stream ends.
      // `ctx.signal` aborts when the caller cancels or its deadline passes.
      for (let left = stock[sku]; left >= 0 && !ctx.signal.aborted; left--) {
        yield { sku, left };
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
