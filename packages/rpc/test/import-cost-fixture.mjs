// Records every module URL this process resolves (a module.register resolve hook writing to the
// file named by argv[2]), then imports @weft/rpc and makes one msgpack call over each transport.
import { register } from 'node:module';

const log = process.argv[2];
const hook = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { log } });

const { createClient, createServer, defineService, unary } = await import('@weft/rpc');
const Echo = defineService('weft.cost.v1.Echo', { echo: unary() });
const server = createServer();
server.add(Echo, { echo: (req) => req });
for (const transport of ['mux', 'pooled', 'ws']) {
  const { port } = await server.listen({ transport });
  const client = createClient(Echo, { target: `static:///127.0.0.1:${port}`, transport });
  await client.echo({ text: 'hi' }, { timeoutMs: 5000 });
  client.close();
}
await server.close({ graceMs: 100 });
console.log('done');
