/**
 * A client that goes on sending calls and never reads the answers is slowed, not served into
 * memory: past 1 MiB of output waiting, a pooled or ws server stops reading that connection until
 * it drains, so the calls it takes in — and the answers it holds — stay bounded (by what it read
 * before: at most the per-connection call limit) while a good client is served.
 */
import net from 'node:net';
import { concatBytes, lengthPrefixed } from '@weft/framing';
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsPackage } from 'ws';
import { encodeCall, encodeMessage } from '../src/envelope.js';
import { type Client, createClient, createServer, defineService, type Server, unary } from '../src/index.js';
import { Metadata } from '../src/metadata.js';
import { type Msg, sleep } from './fixtures.js';

/** The one method of the test service these clients call. */
const Test = defineService('weft.test.v1.Test', { sized: unary<Msg, Msg>(), sleep: unary<Msg, Msg>() });

const CALLS = 2000;
const ANSWER = 64 * 1024;

/** The envelopes of CALLS unary `sized` calls, each asking for a 64 KiB answer. */
function calls(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const body = pack({ size: ANSWER });
  for (let id = 1; id <= CALLS; id++) {
    out.push(encodeCall(id, '/weft.test.v1.Test/sized', undefined, false, new Metadata()));
    out.push(concatBytes(encodeMessage(id, body, true, false)));
  }
  return out;
}

describe('clients that never read', () => {
  let server: Server;
  let served = 0;
  const ports: Record<string, number> = {};
  const good: Client<typeof Test.methods>[] = [];

  beforeAll(async () => {
    server = createServer({
      interceptors: [
        async (ctx, next) => {
          if (ctx.method === 'sized') served++;
          return next();
        },
      ],
    });
    server.add(Test, {
      sized: async (req) => ({ bytes: new Uint8Array(req.size ?? 0) }),
      sleep: async (req, ctx) => {
        await sleep(req.sleepMs ?? 0, ctx.signal);
        return {};
      },
    });
    for (const transport of ['pooled', 'ws'] as const) {
      ports[transport] = (await server.listen({ transport })).port;
      good.push(createClient(Test, { target: `127.0.0.1:${ports[transport]}`, transport }));
    }
  });
  afterAll(async () => {
    for (const c of good) c.close();
    await server.close({ graceMs: 100 });
  });

  const stillServes = async () => {
    for (const c of good) expect((await c.sized({ size: 10 }, { timeoutMs: 5000 })).bytes?.length).toBe(10);
  };

  it('pooled: the server stops reading past 1 MiB of answers waiting', async () => {
    served = 0;
    const socket = net.connect(ports.pooled!, '127.0.0.1');
    socket.pause(); // never reads
    socket.on('error', () => {});
    const frame = lengthPrefixed({ width: 4 });
    const all = calls();
    // Ten waves of 200 calls, 100 ms apart: each wave's answers alone are 12.5 MiB.
    for (let w = 0; w < 10; w++) {
      socket.write(Buffer.concat(all.slice(w * 400, (w + 1) * 400).map((e) => frame.encode(e))));
      await sleep(100);
    }
    await sleep(500);
    // 2,000 answers are 128 MiB; the server stopped reading after the first wave or two.
    expect(served).toBeLessThan(CALLS / 2);
    await stillServes();
    socket.destroy();
  });

  it('ws: the server stops reading past 1 MiB of answers waiting', async () => {
    served = 0;
    const ws = new WsPackage(`ws://127.0.0.1:${ports.ws}/weft-rpc`);
    await new Promise((r) => ws.on('open', r));
    ws.on('error', () => {});
    ws.pause(); // never reads
    const all = calls();
    for (let w = 0; w < 10; w++) {
      for (const e of all.slice(w * 400, (w + 1) * 400)) ws.send(e);
      await sleep(100);
    }
    await sleep(500);
    expect(served).toBeLessThan(CALLS / 2);
    await stillServes();
    ws.terminate();
  });

  it('pooled: replies held in order behind an open call count against the 1,024-call limit', async () => {
    served = 0;
    const socket = net.connect(ports.pooled!, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('data', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const frame = lengthPrefixed({ width: 4 });
    const meta = new Metadata();
    const out = [
      encodeCall(1, '/weft.test.v1.Test/sleep', undefined, false, meta),
      concatBytes(encodeMessage(1, pack({ sleepMs: 60_000 }), true, false)),
    ];
    // 1,100 quick calls behind it: they finish, but their replies must wait for call 1.
    for (let id = 2; id <= 1101; id++) {
      out.push(encodeCall(id, '/weft.test.v1.Test/sized', undefined, false, meta));
      out.push(concatBytes(encodeMessage(id, pack({ size: 1 }), true, false)));
    }
    socket.write(Buffer.concat(out.map((e) => frame.encode(e))));
    await closed; // the 1,025th call on the connection closes it
    expect(served).toBeLessThanOrEqual(1024);
    await stillServes();
  });
});
