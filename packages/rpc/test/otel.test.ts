/**
 * OpenTelemetry through `@weft/rpc/otel`: a CLIENT and a SERVER span per call in one trace (W3C
 * trace context carried in metadata), the RPC semantic-convention attributes, error status, nested
 * calls joining the handler's trace, and duration histograms — on every transport, checked with the
 * OpenTelemetry SDK's in-memory exporter and a metric reader.
 */
import * as grpc from '@grpc/grpc-js';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Client,
  type ClientInterceptor,
  createClient,
  createServer,
  defineService,
  RpcError,
  type Server,
  type ServerInterceptor,
  Status,
  unary,
} from '../src/index.js';
import { channelTelemetry, clientTelemetry, serverTelemetry } from '../src/otel/index.js';
import { freePort, TRANSPORTS } from './fixtures.js';
import { TestService } from './gen/grpc/testing/test_pb.js';
import { grpcTesting, grpcTestService, weftTestService } from './interop/test-service.js';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const Traced = defineService('weft.test.v1.Traced', {
  ok: unary<object, object>(),
  missing: unary<object, object>(),
  nested: unary<object, object>(),
});

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const reader = new TestReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const telemetry = { tracerProvider, meterProvider };
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});

describe.each(TRANSPORTS)('OpenTelemetry over %s', (transport) => {
  let server: Server;
  let client: Client<typeof Traced.methods>;
  let port = 0;
  beforeAll(async () => {
    server = createServer({ interceptors: [serverTelemetry(telemetry)] });
    server.add(Traced, {
      ok: async () => ({}),
      missing: async () => {
        throw new RpcError(Status.NOT_FOUND, 'no such thing');
      },
      // An outgoing call from the handler: it must join the handler's trace.
      nested: async () => {
        const inner = createClient(Traced, {
          target: `127.0.0.1:${port}`,
          transport,
          interceptors: [clientTelemetry(telemetry)],
        });
        try {
          return await inner.ok({}, { timeoutMs: 5000 });
        } finally {
          inner.close();
        }
      },
    });
    port = (await server.listen({ transport })).port;
    client = createClient(Traced, {
      target: `127.0.0.1:${port}`,
      transport,
      interceptors: [clientTelemetry(telemetry)],
    });
  });
  afterAll(async () => {
    client.close();
    await server.close({ graceMs: 50 });
  });
  beforeEach(() => exporter.reset());

  const system = transport === 'mux' ? 'grpc' : 'weft';

  it('a call is a CLIENT span and a SERVER span of one trace, with the RPC attributes', async () => {
    await client.ok({}, { timeoutMs: 5000 });
    const spans = exporter.getFinishedSpans();
    const c = spans.find((s) => s.kind === SpanKind.CLIENT)!;
    const s = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(c.name).toBe('weft.test.v1.Traced/ok');
    expect(s.spanContext().traceId).toBe(c.spanContext().traceId);
    expect(s.parentSpanContext?.spanId).toBe(c.spanContext().spanId);
    for (const span of [c, s]) {
      expect(span.attributes).toMatchObject({
        'rpc.system': system,
        'rpc.service': 'weft.test.v1.Traced',
        'rpc.method': 'ok',
        'rpc.grpc.status_code': 0,
        'network.transport': 'tcp',
      });
    }
    expect(s.attributes['client.address']).toBe('127.0.0.1');
    expect(c.attributes['server.address']).toBe('127.0.0.1');
    expect(c.attributes['server.port']).toBe(port);
    // Message events are opt-in.
    expect(c.events).toEqual([]);
  });

  it('with messageEvents, an rpc.message event per message each way, on both spans', async () => {
    const events = { ...telemetry, messageEvents: true };
    const traced = createServer({ interceptors: [serverTelemetry(events)] });
    traced.add(Traced, {
      ok: async () => ({ answer: 'x'.repeat(100) }),
      missing: async () => ({}),
      nested: async () => ({}),
    });
    const at = (await traced.listen({ transport })).port;
    const c = createClient(Traced, {
      target: `127.0.0.1:${at}`,
      transport,
      interceptors: [clientTelemetry(events)],
    });
    try {
      await c.ok({ question: 'y'.repeat(50) }, { timeoutMs: 5000 });
    } finally {
      c.close();
      await traced.close({ graceMs: 50 });
    }
    const spans = exporter.getFinishedSpans();
    const shape = (kind: SpanKind) =>
      spans.find((s) => s.kind === kind)!.events.map((e) => ({ name: e.name, ...e.attributes }));
    const sizeOf = (n: number) => expect.toSatisfy((v: number) => v > n && v < n + 40);
    expect(shape(SpanKind.CLIENT)).toEqual([
      {
        name: 'rpc.message',
        'rpc.message.type': 'SENT',
        'rpc.message.id': 1,
        'rpc.message.compressed_size': sizeOf(50),
      },
      {
        name: 'rpc.message',
        'rpc.message.type': 'RECEIVED',
        'rpc.message.id': 1,
        'rpc.message.compressed_size': sizeOf(100),
      },
    ]);
    expect(shape(SpanKind.SERVER)).toEqual([
      {
        name: 'rpc.message',
        'rpc.message.type': 'RECEIVED',
        'rpc.message.id': 1,
        'rpc.message.compressed_size': sizeOf(50),
      },
      {
        name: 'rpc.message',
        'rpc.message.type': 'SENT',
        'rpc.message.id': 1,
        'rpc.message.compressed_size': sizeOf(100),
      },
    ]);
  });

  it('a failed call: the client span is an error with the exception; NOT_FOUND is no server error', async () => {
    await client.missing({}, { timeoutMs: 5000 }).catch(() => {});
    const spans = exporter.getFinishedSpans();
    const c = spans.find((s) => s.kind === SpanKind.CLIENT)!;
    const s = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(c.status.code).toBe(SpanStatusCode.ERROR);
    expect(c.events.some((e) => e.name === 'exception')).toBe(true);
    expect(c.attributes['rpc.grpc.status_code']).toBe(Status.NOT_FOUND);
    expect(s.status.code).toBe(SpanStatusCode.UNSET);
    expect(s.attributes['rpc.grpc.status_code']).toBe(Status.NOT_FOUND);
  });

  it("a handler's own outgoing call joins its trace, as a child of its server span", async () => {
    await client.nested({}, { timeoutMs: 5000 });
    const spans = exporter.getFinishedSpans();
    const outer = spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['rpc.method'] === 'nested')!;
    const inner = spans.find((s) => s.kind === SpanKind.CLIENT && s.attributes['rpc.method'] === 'ok')!;
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  it('records rpc.client.duration and rpc.server.duration', async () => {
    await client.ok({}, { timeoutMs: 5000 });
    const { resourceMetrics } = await reader.collect();
    const names = resourceMetrics.scopeMetrics.flatMap((m) => m.metrics.map((x) => x.descriptor.name));
    expect(names).toEqual(expect.arrayContaining(['rpc.client.duration', 'rpc.server.duration']));
    const histogram = resourceMetrics.scopeMetrics
      .flatMap((m) => m.metrics)
      .find((m) => m.descriptor.name === 'rpc.client.duration')!;
    expect(histogram.descriptor.unit).toBe('ms');
    const point = histogram.dataPoints.find(
      (p) => p.attributes['rpc.system'] === system && p.attributes['rpc.method'] === 'ok',
    );
    expect(point).toBeDefined();
    expect((point!.value as { count: number }).count).toBeGreaterThan(0);
  });

  it('records request and response sizes and messages per call, both sides', async () => {
    await client.ok({}, { timeoutMs: 5000 });
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((m) => m.metrics);
    for (const side of ['client', 'server']) {
      for (const name of ['request.size', 'response.size', 'requests_per_rpc', 'responses_per_rpc']) {
        const metric = all.find((m) => m.descriptor.name === `rpc.${side}.${name}`);
        expect(metric, `rpc.${side}.${name}`).toBeDefined();
        const point = metric!.dataPoints.find(
          (p) => p.attributes['rpc.system'] === system && p.attributes['rpc.method'] === 'ok',
        );
        const value = point!.value as { count: number; sum: number; min: number };
        expect(value.count).toBeGreaterThan(0);
        // One message each way per unary call; an empty msgpack map is one byte.
        if (name.endsWith('per_rpc')) expect(value.sum / value.count).toBe(1);
        else expect(value.min).toBeGreaterThan(0);
      }
    }
  });
});

describe('channel gauges', () => {
  it('report endpoints by state and calls in flight', async () => {
    const server = createServer();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    server.add(Traced, {
      ok: async () => {
        await gate;
        return {};
      },
      missing: async () => ({}),
      nested: async () => ({}),
    });
    const { port } = await server.listen();
    const down = await freePort();
    const client = createClient(Traced, {
      target: `static:///127.0.0.1:${port},127.0.0.1:${down}`,
      balancer: 'round-robin',
    });
    const stop = channelTelemetry(client, { service: 'weft.test.v1.Traced', meterProvider });
    await client.missing({}, { timeoutMs: 2000 }).catch(() => {});
    await client.missing({}, { timeoutMs: 2000 }).catch(() => {});
    const held = [client.ok({}, { timeoutMs: 5000 }), client.ok({}, { timeoutMs: 5000 })];
    await new Promise((r) => setTimeout(r, 50));
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((m) => m.metrics);
    const endpoints = all.find((m) => m.descriptor.name === 'rpc.client.endpoints')!;
    const by = Object.fromEntries(endpoints.dataPoints.map((p) => [p.attributes.state, p.value]));
    expect(by.ready).toBe(1);
    expect(by['transient-failure']).toBe(1);
    const inFlight = all.find((m) => m.descriptor.name === 'rpc.client.calls_in_flight')!;
    expect(inFlight.dataPoints[0]!.value).toBe(2);
    release();
    await Promise.all(held);
    stop();
    client.close();
    await server.close({ graceMs: 50 });
  });
});

describe('trace context with a grpc-js peer that uses the standard propagator', () => {
  const tracer = tracerProvider.getTracer('grpc-js-peer');
  const grpcSetter = { set: (m: grpc.Metadata, k: string, v: string) => m.set(k, v) };
  const grpcGetter = {
    keys: (m: grpc.Metadata) => Object.keys(m.getMap()),
    get: (m: grpc.Metadata, k: string) => m.get(k).map(String)[0],
  };
  beforeEach(() => exporter.reset());

  it('a grpc-js client’s trace continues in the weft server span', async () => {
    const server = createServer({ interceptors: [serverTelemetry(telemetry)] });
    server.add(TestService, weftTestService);
    const { port } = await server.listen({ transport: 'mux' });
    const client = new grpcTesting.TestService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const span = tracer.startSpan('grpc-js call', { kind: SpanKind.CLIENT });
    const md = new grpc.Metadata();
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), md, grpcSetter);
    await new Promise<void>((resolve, reject) =>
      (client as unknown as { EmptyCall: (...args: unknown[]) => void }).EmptyCall(
        {},
        md,
        (err: Error | null) => (err ? reject(err) : resolve()),
      ),
    );
    span.end();
    client.close();
    await server.close({ graceMs: 50 });
    const served = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)!;
    expect(served.spanContext().traceId).toBe(span.spanContext().traceId);
    expect(served.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    expect(served.attributes['rpc.system']).toBe('grpc');
  });

  it('a weft client’s trace reaches a grpc-js server that extracts it', async () => {
    let seen: string | undefined;
    const server = new grpc.Server();
    server.addService(grpcTesting.TestService.service, {
      ...grpcTestService,
      EmptyCall: (call: { metadata: grpc.Metadata }, cb: grpc.sendUnaryData<object>) => {
        seen = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, call.metadata, grpcGetter))?.traceId;
        cb(null, {});
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const client = createClient(TestService, {
      target: `127.0.0.1:${port}`,
      interceptors: [clientTelemetry(telemetry)],
    });
    await client.emptyCall({}, { timeoutMs: 5000 });
    client.close();
    server.forceShutdown();
    const sent = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT)!;
    expect(seen).toBe(sent.spanContext().traceId);
  });
});

describe('without an SDK', () => {
  it('the interceptors take no part in calls while no SDK or propagator is registered', () => {
    // Global providers: nothing registered here but the propagator of this file's beforeAll.
    const client = clientTelemetry();
    const server = serverTelemetry();
    expect(client.enabled?.()).toBe(true);
    propagation.disable();
    try {
      expect(client.enabled?.()).toBe(false);
      expect(server.enabled?.()).toBe(false);
      // An SDK registered later: the global tracer provider is a proxy, so they take part at once.
      trace.setGlobalTracerProvider(tracerProvider);
      try {
        expect(client.enabled?.()).toBe(true);
        expect(server.enabled?.()).toBe(true);
      } finally {
        trace.disable();
      }
      // (trace.disable() puts a new proxy in place: an interceptor made now sees no SDK again.)
      expect(clientTelemetry().enabled?.()).toBe(false);
      // Providers given explicitly always take part.
      expect(clientTelemetry(telemetry).enabled?.()).toBe(true);
      expect(clientTelemetry({ meterProvider }).enabled?.()).toBe(true);
    } finally {
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    }
  });

  it('a call leaves out an interceptor that is not enabled, and runs one that is', async () => {
    const ran: string[] = [];
    const off: ClientInterceptor = Object.assign(
      async (_ctx: unknown, next: () => Promise<void>) => {
        ran.push('off');
        await next();
      },
      { enabled: () => false },
    );
    const on: ServerInterceptor = Object.assign(
      async (_ctx: unknown, next: () => Promise<void>) => {
        ran.push('on');
        await next();
      },
      { enabled: () => true },
    );
    const server = createServer({ interceptors: [on] });
    server.add(Traced, { ok: async () => ({}), missing: async () => ({}), nested: async () => ({}) });
    const { port } = await server.listen({ transport: 'mux' });
    const client = createClient(Traced, { target: `127.0.0.1:${port}`, interceptors: [off] });
    try {
      await client.ok({}, { timeoutMs: 5000 });
    } finally {
      client.close();
      await server.close({ graceMs: 50 });
    }
    expect(ran).toEqual(['on']);
  });
});
