/** diagnostics_channel events: call ends on both sides, retries, endpoint states. */
import dc from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, Status } from '../src/index.js';
import { freePort, startTestServer, Test } from './fixtures.js';

const subscriptions: [string, (m: unknown) => void][] = [];
afterEach(() => {
  for (const [name, fn] of subscriptions.splice(0)) dc.unsubscribe(name, fn);
});

function collect(name: string): Record<string, unknown>[] {
  const seen: Record<string, unknown>[] = [];
  const fn = (m: unknown) => seen.push(m as Record<string, unknown>);
  dc.subscribe(name, fn);
  subscriptions.push([name, fn]);
  return seen;
}

describe('diagnostics_channel events', () => {
  it('publish call ends, retries and endpoint states', async () => {
    const clientEnds = collect('weft:rpc:client:end');
    const serverEnds = collect('weft:rpc:server:end');
    const retries = collect('weft:rpc:client:retry');
    const states = collect('weft:rpc:endpoint:state');
    const { server } = startTestServer();
    const { port } = await server.listen({ transport: 'mux' });
    const deadPort = await freePort();
    const client = createClient(Test, {
      target: `static:///127.0.0.1:${deadPort},127.0.0.1:${port}`,
      balancer: 'round-robin',
    });
    await client.echo({}, { timeoutMs: 5000 });
    const err = await client.fail({ code: Status.NOT_FOUND }, { timeoutMs: 5000 }).catch((e) => e);
    expect(err.code).toBe(Status.NOT_FOUND);
    expect(clientEnds).toEqual([
      expect.objectContaining({
        path: '/weft.test.v1.Test/echo',
        code: Status.OK,
        attempts: 2,
        endpoint: `127.0.0.1:${port}`,
      }),
      expect.objectContaining({ path: '/weft.test.v1.Test/fail', code: Status.NOT_FOUND, attempts: 1 }),
    ]);
    expect(typeof clientEnds[0]!.durationMs).toBe('number');
    expect(retries).toEqual([
      expect.objectContaining({
        path: '/weft.test.v1.Test/echo',
        attempt: 2,
        endpoint: `127.0.0.1:${deadPort}`,
        code: Status.UNAVAILABLE,
      }),
    ]);
    expect(states).toEqual(
      expect.arrayContaining([
        { endpoint: `127.0.0.1:${deadPort}`, state: 'transient-failure', ejected: false },
        { endpoint: `127.0.0.1:${port}`, state: 'ready', ejected: false },
      ]),
    );
    expect(serverEnds.map((e) => [e.path, e.code])).toEqual([
      ['/weft.test.v1.Test/echo', Status.OK],
      ['/weft.test.v1.Test/fail', Status.NOT_FOUND],
    ]);
    client.close();
    await server.close({ graceMs: 100 });
  });

  it('report the calls that began while their channel had a subscriber', async () => {
    const { server } = startTestServer();
    const { port } = await server.listen({ transport: 'mux' });
    const client = createClient(Test, { target: `static:///127.0.0.1:${port}` });
    await client.echo({}); // connected
    const before = client.sleep({ sleepMs: 100 });
    await new Promise((r) => setTimeout(r, 20));
    const clientEnds = collect('weft:rpc:client:end');
    const serverEnds = collect('weft:rpc:server:end');
    await Promise.all([before, client.echo({ text: 'after' })]);
    expect(clientEnds.map((e) => e.path)).toEqual(['/weft.test.v1.Test/echo']);
    expect(serverEnds.map((e) => e.path)).toEqual(['/weft.test.v1.Test/echo']);
    expect(clientEnds[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(serverEnds[0]!.durationMs).toBeGreaterThanOrEqual(0);
    client.close();
    await server.close({ graceMs: 100 });
  });
});
