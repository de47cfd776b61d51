/**
 * A handler that fans out to many outgoing calls: no listener-leak warning, no listener left once
 * the children end, and cancelling the parent still cancels every child.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  createServer,
  defineService,
  RpcError,
  type Server,
  type ServerCallContext,
  Status,
  unary,
} from '../src/index.js';

const Leaf = defineService('weft.test.v1.Leaf', { work: unary<{ ms: number }, { ok: boolean }>() });
const Root = defineService('weft.test.v1.Root', {
  fanOut: unary<{ n: number; ms: number }, { done: number }>(),
});

describe('fan-out from a handler', () => {
  let leafServer: Server;
  let rootServer: Server;
  let rootPort: number;
  let lastCtx: ServerCallContext | undefined;
  let leafCancelled = 0;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

  beforeAll(async () => {
    process.on('warning', onWarning);
    leafServer = createServer();
    leafServer.add(Leaf, {
      work: (req, ctx) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(() => resolve({ ok: true }), req.ms);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            leafCancelled++;
            reject(new RpcError(Status.CANCELLED, 'cancelled'));
          });
        }),
    });
    const leafPort = (await leafServer.listen()).port;
    const leaf = createClient(Leaf, { target: `127.0.0.1:${leafPort}` });
    rootServer = createServer();
    rootServer.add(Root, {
      fanOut: async (req, ctx) => {
        lastCtx = ctx;
        const results = await Promise.all(
          Array.from({ length: req.n }, () => leaf.work({ ms: req.ms }).then(() => 1)),
        );
        return { done: results.length };
      },
    });
    rootPort = (await rootServer.listen()).port;
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await Promise.all([rootServer.close({ graceMs: 50 }), leafServer.close({ graceMs: 50 })]);
  });

  it('50 outgoing calls: no warning, and no listener left after they end', async () => {
    const client = createClient(Root, { target: `127.0.0.1:${rootPort}` });
    expect(await client.fanOut({ n: 50, ms: 10 }, { timeoutMs: 5000 })).toEqual({ done: 50 });
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
    expect(lastCtx!._cancelListeners).toBe(0);
    client.close();
  });

  it('cancelling the parent cancels all its children', async () => {
    const client = createClient(Root, { target: `127.0.0.1:${rootPort}` });
    leafCancelled = 0;
    const abort = new AbortController();
    const call = client.fanOut({ n: 20, ms: 10_000 }, { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 200));
    abort.abort();
    await expect(call).rejects.toMatchObject({ code: Status.CANCELLED });
    const until = Date.now() + 3000;
    while (leafCancelled < 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(leafCancelled).toBe(20);
    client.close();
  });
});
