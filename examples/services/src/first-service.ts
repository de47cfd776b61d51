/**
 * A first service: serve the contract, call it — a unary call, a stream, and an error — and shut
 * down. `npm run first --workspace @weft/example-services`.
 */
import { createClient, createServer, RpcError, statusName } from '@weft/rpc';
import { Shop } from './contract.js';
import { shop } from './shop.js';

const server = createServer().add(Shop, shop());
const { host, port } = await server.listen({ port: 0, host: '127.0.0.1' }); // transport 'mux' by default
console.log(`shop listening on ${host}:${port}`);

const client = createClient(Shop, { target: `static:///${host}:${port}` });

const price = await client.price({ sku: 'tea' }, { timeoutMs: 1000 }); // every call has a deadline
console.log(`tea costs ${price.cents} cents`);

const receipt = await client.placeOrder({ sku: 'tea', quantity: 2 });
console.log(`order ${receipt.orderId}: ${receipt.totalCents} cents`);

for await (const level of client.watchStock({ sku: 'tea' })) {
  console.log(`tea left: ${level.left}`);
  if (level.left === 1) break; // leaving the loop cancels the stream on the server
}

try {
  await client.placeOrder({ sku: 'tea', quantity: 10 });
} catch (err) {
  if (!(err instanceof RpcError)) throw err;
  console.log(`refused: ${statusName(err.code)}: ${err.message}`);
}

client.close();
await server.close({ graceMs: 1000 });
