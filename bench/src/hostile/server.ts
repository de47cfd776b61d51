/**
 * The server the hostile runs attack, in a process of its own so that its memory and CPU are its
 * own: a weft rpc server on mux, pooled and ws with an echo, a client-streaming call that waits
 * for its requests, and responses of a requested size. It sends its ports over IPC, then answers
 * each `'sample'` message with its RSS and CPU time. `WEFT_RPC` names another build of @weft/rpc
 * (an older revision's dist/index.js), for before/after runs.
 */
import { pathToFileURL } from 'node:url';

import { defineTarget } from './target.js';

const rpc: typeof import('@weft/rpc') = await import(
  process.env.WEFT_RPC ? pathToFileURL(process.env.WEFT_RPC).href : '@weft/rpc'
);
const server = rpc.createServer();
server.add(defineTarget(rpc), {
  echo: async (req) => req,
  sized: async (req) => ({ bytes: new Uint8Array(Math.min(req.size ?? 0, 4 * 2 ** 20)) }),
  async sum(reqs) {
    let n = 0;
    for await (const r of reqs) n += r.n ?? 0;
    return { n };
  },
});
const ports: Record<string, number> = {};
for (const transport of ['mux', 'pooled', 'ws'] as const)
  ports[transport] = (await server.listen({ transport })).port;
process.send!({ ports });
process.on('message', (m: string) => {
  if (m === 'sample') {
    const cpu = process.cpuUsage();
    process.send!({ rss: process.memoryUsage.rss(), cpuMs: (cpu.user + cpu.system) / 1000 });
  }
});
process.on('disconnect', () => process.exit(0));
