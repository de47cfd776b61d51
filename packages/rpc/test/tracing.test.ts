/**
 * The tracing channels of client and server calls: start before anything is sent (metadata added
 * there reaches the server), end, then error (on failure), asyncStart and asyncEnd with the status
 * and the message counts — on every transport.
 */
import dc from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallTraceContext, createClient, Status } from '../src/index.js';
import { startTestServer, Test, type TestClient, TRANSPORTS } from './fixtures.js';

type Event = { channel: string; event: string; context: CallTraceContext };

function record(name: string, into: Event[]): () => void {
  const channel = dc.tracingChannel<CallTraceContext>(name);
  const handlers = Object.fromEntries(
    (['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const).map((event) => [
      event,
      (context: CallTraceContext) => {
        if (event === 'start' && name === 'weft:rpc:client')
          context.metadata.set('traceparent', '00-abc-def-01');
        into.push({ channel: name, event, context });
      },
    ]),
  );
  channel.subscribe(handlers as never);
  return () => channel.unsubscribe(handlers as never);
}

describe.each(TRANSPORTS)('tracing channels over %s', (transport) => {
  let started: ReturnType<typeof startTestServer>;
  let client: TestClient;
  const events: Event[] = [];
  const stops: (() => void)[] = [];
  beforeAll(async () => {
    started = startTestServer();
    const { port } = await started.server.listen({ transport });
    client = createClient(Test, { target: `127.0.0.1:${port}`, transport });
    stops.push(record('weft:rpc:client', events), record('weft:rpc:server', events));
  });
  afterAll(async () => {
    for (const stop of stops) stop();
    client.close();
    await started.server.close({ graceMs: 50 });
  });

  it('a unary call: start, end, asyncStart, asyncEnd on both sides, metadata from start sent', async () => {
    events.length = 0;
    await client.meta({}, { timeoutMs: 5000 });
    // The fixture's meta handler keeps the request metadata it saw.
    expect(started.observed.lastMetadata?.get('traceparent')).toBe('00-abc-def-01');
    const clientEvents = events.filter((e) => e.channel === 'weft:rpc:client');
    expect(clientEvents.map((e) => e.event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    const c = clientEvents[3]!.context;
    expect(c).toMatchObject({
      path: '/weft.test.v1.Test/meta',
      kind: 'unary',
      code: Status.OK,
      messagesSent: 1,
      messagesReceived: 1,
    });
    expect(c.bytesSent).toBeGreaterThan(0);
    const serverEvents = events.filter((e) => e.channel === 'weft:rpc:server');
    expect(serverEvents.map((e) => e.event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(serverEvents[0]!.context.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(serverEvents[3]!.context).toMatchObject({ code: Status.OK, messagesReceived: 1, messagesSent: 1 });
  });

  it('a failed call publishes error with the RpcError, then asyncStart and asyncEnd', async () => {
    events.length = 0;
    await client.fail({ code: Status.NOT_FOUND }, { timeoutMs: 5000 }).catch(() => {});
    const clientEvents = events.filter((e) => e.channel === 'weft:rpc:client');
    expect(clientEvents.map((e) => e.event)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(clientEvents[2]!.context.error?.code).toBe(Status.NOT_FOUND);
    const serverEvents = events.filter((e) => e.channel === 'weft:rpc:server');
    expect(serverEvents.map((e) => e.event)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(serverEvents[4]!.context.code).toBe(Status.NOT_FOUND);
  });

  it('a server stream counts its messages', async () => {
    events.length = 0;
    const got: unknown[] = [];
    for await (const m of client.count({ n: 5 }, { timeoutMs: 5000 })) got.push(m);
    const end = events.find((e) => e.channel === 'weft:rpc:client' && e.event === 'asyncEnd')!.context;
    expect(end.messagesReceived).toBe(got.length);
    expect(end.kind).toBe('serverStream');
  });
});
