/**
 * Registry discovery: a registry, two servers that register themselves with it, and a client
 * that finds them by the service's name and spreads its calls — then one server leaves
 * gracefully and the calls go on without a failure. `npm run discovery --workspace @weft/example-services`.
 */
import { channelOf, createClient, createServer, startRegistry } from '@weft/rpc';
import { Shop } from './contract.js';
import { shop } from './shop.js';

const registry = await startRegistry({ host: '127.0.0.1' }); // or `npx weft-registry --port 7070`

const servers = [];
for (const name of ['shop-a', 'shop-b']) {
  const server = createServer().add(Shop, shop(name));
  await server.listen({ port: 0, host: '127.0.0.1', register: { target: registry.target, ttlSeconds: 5 } });
  servers.push(server);
}

const client = createClient(Shop, { target: registry.target, balancer: 'round-robin' });
const count = async (calls: number) => {
  const by: Record<string, number> = {};
  for (let i = 0; i < calls; i++) {
    const { server } = await client.price({ sku: 'tea' }, { timeoutMs: 2000 });
    by[server] = (by[server] ?? 0) + 1;
  }
  return Object.entries(by)
    .sort()
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
};

// Both servers are known once the registry's watch delivered them.
while (channelOf(client).stats().endpoints.length < 2) await new Promise((r) => setTimeout(r, 20));
console.log(`10 calls: ${await count(10)}`);

await servers[0]!.close({ graceMs: 1000 }); // deregisters, then drains
console.log(`after shop-a left, 10 calls: ${await count(10)}`);

client.close();
await servers[1]!.close({ graceMs: 1000 });
await registry.close();
