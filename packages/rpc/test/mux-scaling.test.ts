/** Connection scaling on the mux transport: more HTTP/2 connections while each is at its limit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  createServer,
  defineService,
  type MuxClientOptions,
  RpcUsageError,
  type Server,
  unary,
} from '../src/index.js';

const Peer = defineService('weft.test.v1.Peer', { hold: unary<{ ms: number }, { peer: string }>() });

describe('mux connection scaling', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    server.add(Peer, {
      hold: async (req, ctx) => {
        await new Promise((r) => setTimeout(r, req.ms));
        return { peer: ctx.peer };
      },
    });
    port = (await server.listen({ transport: 'mux' })).port;
  });
  afterAll(() => server.close({ graceMs: 100 }));

  const peersFor = async (mux: MuxClientOptions, calls: number) => {
    const client = createClient(Peer, { target: `127.0.0.1:${port}`, transport: 'mux', mux });
    const answers = await Promise.all(
      Array.from({ length: calls }, () => client.hold({ ms: 100 }, { timeoutMs: 5000 })),
    );
    client.close();
    return new Set(answers.map((a) => a.peer)).size;
  };

  it('one connection while the server allows the calls in flight (MAX_CONCURRENT_STREAMS 250)', async () => {
    expect(await peersFor({}, 35)).toBe(1);
  });

  it('a new connection each time every connection holds streamsPerConnection calls, up to maxConnections', async () => {
    expect(await peersFor({ streamsPerConnection: 10 }, 35)).toBe(4);
    expect(await peersFor({ streamsPerConnection: 10, maxConnections: 2 }, 35)).toBe(2);
  });

  it('refuses scaling options out of range', () => {
    expect(() => createClient(Peer, { target: `127.0.0.1:${port}`, mux: { maxConnections: 0 } })).toThrow(
      RpcUsageError,
    );
    expect(() =>
      createClient(Peer, { target: `127.0.0.1:${port}`, mux: { streamsPerConnection: 1.5 } }),
    ).toThrow(RpcUsageError);
  });
});
