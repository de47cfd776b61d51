/**
 * The shared contract: the service definition and its message types, in a module of its own that
 * both the server and every client import. Change a method here and the compiler points at every
 * handler and every call that no longer fits. (Publish it as a small package of its own when the
 * client lives in another repository.)
 */
import { defineService, serverStream, unary } from '@weft/rpc';

export interface PriceRequest {
  sku: string;
}
export interface Price {
  sku: string;
  cents: number;
  /** Which server answered (the discovery example shows the balancing). */
  server: string;
}
export interface Order {
  sku: string;
  quantity: number;
}
export interface Receipt {
  orderId: string;
  totalCents: number;
}
export interface StockLevel {
  sku: string;
  left: number;
}

export const Shop = defineService('example.shop.v1.Shop', {
  /** Safe to retry and to hedge: it changes nothing. */
  price: unary<PriceRequest, Price>({ idempotent: true }),
  placeOrder: unary<Order, Receipt>(),
  /** The stock level now, then again whenever it changes, until the caller stops reading. */
  watchStock: serverStream<PriceRequest, StockLevel>(),
});
