/**
 * Keepalive on every transport: a server that goes silent (a proxy that stops forwarding, as a
 * dead peer or a black-holed route would) is detected and its connection closed; the next call
 * opens a fresh one.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { channelOf, createClient, RpcUsageError } from '../src/index.js';
import { eventually, startTestServer, Test, TRANSPORTS } from './fixtures.js';

/** A TCP proxy to `port` whose connections can all be frozen (bytes held, nothing forwarded). */
async function freezableProxy(port: number) {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (c: Buffer) => {
        if (!frozen) to.write(c);
      });
      from.on('error', () => {});
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe.each(TRANSPORTS)('keepalive over %s', (transport) => {
  it('a silent server is detected and its connection closed; the next call reconnects', async () => {
    const { server } = startTestServer();
    const { port } = await server.listen({ transport });
    const proxy = await freezableProxy(port);
    const client = createClient(Test, {
      target: `127.0.0.1:${proxy.port}`,
      transport,
      keepalive: { intervalMs: 100, timeoutMs: 150 },
    });
    await client.echo({}, { timeoutMs: 2000 });
    const connections = () => channelOf(client).stats().endpoints[0]!.connections;
    expect(connections()).toBe(1);
    proxy.freeze();
    // Quiet for 100 ms, pinged, no answer within 150 ms (ws: by the next ping): closed.
    await eventually(() => connections() === 0, 2000);
    proxy.thaw();
    expect(await client.echo({ text: 'again' }, { timeoutMs: 2000 })).toEqual({ text: 'again' });
    client.close();
    proxy.close();
    await server.close({ graceMs: 50 });
  });

  it('a live but idle connection stays open (the server answers the pings)', async () => {
    const { server } = startTestServer();
    const { port } = await server.listen({ transport });
    const client = createClient(Test, {
      target: `127.0.0.1:${port}`,
      transport,
      keepalive: { intervalMs: 50, timeoutMs: 100 },
    });
    await client.echo({}, { timeoutMs: 2000 });
    await new Promise((r) => setTimeout(r, 400));
    expect(channelOf(client).stats().endpoints[0]!.connections).toBe(1);
    client.close();
    await server.close({ graceMs: 50 });
  });
});

it('keepalive options are checked', () => {
  expect(() => createClient(Test, { target: '127.0.0.1:1', keepalive: { intervalMs: 0 } })).toThrow(
    RpcUsageError,
  );
});
