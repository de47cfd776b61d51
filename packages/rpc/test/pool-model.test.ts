/**
 * Model-based test (fast-check commands) of the pooled transport's pool against a real server:
 * unary and streaming calls started, released by the server and cancelled by the client, in any
 * order (a cancelled call retires its connection; a streaming call holds one alone). The pool never
 * exceeds its connections, and once everything is released every call has settled — none is left
 * pending.
 */
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  type Client,
  channelOf,
  createClient,
  createServer,
  defineService,
  type Server,
  Status,
  serverStream,
  unary,
} from '../src/index.js';

const Gate = defineService('weft.test.v1.Gate', {
  wait: unary<{ id: number }, { id: number }>(),
  waitStream: serverStream<{ id: number }, { id: number }>(),
});

const MAX_CONNECTIONS = 3;

describe('the pooled pool, model-based', () => {
  let server: Server;
  let port: number;
  const gates = new Map<number, () => void>();
  const gate = (id: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      gates.set(id, resolve);
      signal.addEventListener('abort', () => resolve());
    });

  beforeAll(async () => {
    server = createServer();
    server.add(Gate, {
      wait: async (req, ctx) => {
        await gate(req.id, ctx.signal);
        return { id: req.id };
      },
      async *waitStream(req, ctx) {
        yield { id: req.id };
        await gate(req.id, ctx.signal);
      },
    });
    port = (await server.listen({ transport: 'pooled' })).port;
  });
  afterAll(() => server.close({ graceMs: 100 }));

  type Call = { id: number; done: boolean; abort: AbortController; settled: Promise<unknown> };
  type Real = { client: Client<typeof Gate.methods>; calls: Call[]; next: number };
  type Model = { started: number };
  const tick = () => new Promise((r) => setTimeout(r, 15));
  const connections = (r: Real) => channelOf(r.client).stats().endpoints[0]?.connections ?? 0;

  const commands = [
    fc.boolean().map<fc.AsyncCommand<Model, Real>>((streaming) => ({
      check: (m) => m.started < 12,
      async run(m, r) {
        m.started++;
        const id = r.next++;
        const abort = new AbortController();
        const call: Call = { id, done: false, abort, settled: Promise.resolve() };
        const options = { signal: abort.signal, timeoutMs: 10_000 };
        call.settled = (
          streaming
            ? (async () => {
                for await (const _ of r.client.waitStream({ id }, options));
              })()
            : r.client.wait({ id }, options)
        )
          .catch((e: { code?: number }) => expect([Status.CANCELLED, Status.UNAVAILABLE]).toContain(e.code))
          .finally(() => {
            call.done = true;
          });
        r.calls.push(call);
        await tick();
        expect(connections(r)).toBeLessThanOrEqual(MAX_CONNECTIONS);
      },
      toString: () => `start ${streaming ? 'stream' : 'unary'}`,
    })),
    fc.nat().map<fc.AsyncCommand<Model, Real>>((i) => ({
      check: () => true,
      async run(_m, r) {
        const open = r.calls.filter((c) => !c.done);
        if (open.length === 0) return;
        gates.get(open[i % open.length]!.id)?.();
        await tick();
        expect(connections(r)).toBeLessThanOrEqual(MAX_CONNECTIONS);
      },
      toString: () => `release ${i}`,
    })),
    fc.nat().map<fc.AsyncCommand<Model, Real>>((i) => ({
      check: () => true,
      async run(_m, r) {
        const open = r.calls.filter((c) => !c.done);
        if (open.length === 0) return;
        open[i % open.length]!.abort.abort();
        await tick();
        expect(connections(r)).toBeLessThanOrEqual(MAX_CONNECTIONS);
      },
      toString: () => `cancel ${i}`,
    })),
  ];

  test.prop([fc.commands(commands, { maxCommands: 25 })], { numRuns: 40 })(
    'connections stay within the pool; every call settles once released',
    async (cmds) => {
      const real: Real = {
        client: createClient(Gate, {
          target: `127.0.0.1:${port}`,
          transport: 'pooled',
          pooled: { maxConnections: MAX_CONNECTIONS },
        }),
        calls: [],
        next: Math.floor(Math.random() * 1e9),
      };
      try {
        await fc.asyncModelRun(() => ({ model: { started: 0 }, real }), cmds);
        // Release everything still waiting: every call must settle, none hang.
        for (let round = 0; round < 50 && real.calls.some((c) => !c.done); round++) {
          for (const c of real.calls) if (!c.done) gates.get(c.id)?.();
          await tick();
        }
        await Promise.all(real.calls.map((c) => c.settled));
        expect(channelOf(real.client).stats().callsInFlight).toBe(0);
      } finally {
        real.client.close();
      }
    },
    60_000,
  );
});
