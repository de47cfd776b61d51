/**
 * TLS: the server gets a key and certificate, the client the CA that signed it (here the
 * self-signed `localhost` pair in certs/, valid for localhost and 127.0.0.1 — make your own for
 * anything else). A client's second connection resumes the first one's TLS session.
 * `npm run tls --workspace @weft/example-services`.
 */
import { readFileSync } from 'node:fs';
import { channelOf, createClient, createServer } from '@weft/rpc';
import { Shop } from './contract.js';
import { shop } from './shop.js';

const cert = readFileSync(new URL('../certs/localhost-cert.pem', import.meta.url));
const key = readFileSync(new URL('../certs/localhost-key.pem', import.meta.url));

const server = createServer().add(Shop, shop());
const { port } = await server.listen({ port: 0, host: '127.0.0.1', transport: 'pooled', tls: { key, cert } });

const client = createClient(Shop, {
  target: `static:///localhost:${port}`,
  transport: 'pooled',
  pooled: { tls: { ca: cert } },
});
const price = await client.price({ sku: 'tea' });
console.log(`over TLS: tea costs ${price.cents} cents`);

// Three streams at once need three connections; the two new ones resume the first one's session
// (its ticket arrives just after the handshake).
await new Promise((r) => setTimeout(r, 50));
const drain = async (sku: string) => {
  for await (const _ of client.watchStock({ sku })) {
    // read to the end
  }
};
await Promise.all([drain('tea'), drain('cake'), drain('tea')]);
const endpoint = channelOf(client).stats().endpoints[0]!;
console.log(`connections: ${endpoint.connections}, TLS sessions resumed: ${endpoint.tlsResumed}`);

client.close();
await server.close({ graceMs: 1000 });
