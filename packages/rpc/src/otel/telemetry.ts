/**
 * OpenTelemetry for weft calls: interceptors that make a span per call (the RPC semantic
 * conventions), carry W3C trace context (`traceparent`, `tracestate`, baggage — whatever the global
 * propagator writes) in the metadata, and record call durations.
 */
import {
  type Attributes,
  context,
  createNoopMeter,
  type Meter,
  type MeterProvider,
  metrics,
  ProxyTracerProvider,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { ClientInterceptor } from '../client-types.js';
import type { ServerInterceptor } from '../server.js';
import { type Status, statusName } from '../status.js';
import type { MessageCounts } from '../tracing.js';
import { AttributeCache, SERVER_ERROR_CODES, statusOf } from './attributes.js';
import { metadataGetter, metadataSetter } from './carrier.js';

/** Where the telemetry goes (the global providers unless given others), and what it records. */
export interface TelemetryOptions {
  tracerProvider?: TracerProvider;
  meterProvider?: MeterProvider;
  /**
   * An `rpc.message` span event per message sent and received (`rpc.message.type` SENT or
   * RECEIVED, `rpc.message.id` from 1 each way, `rpc.message.compressed_size`: its bytes on the
   * wire). Default false.
   */
  messageEvents?: boolean;
}

const SCOPE = '@weft/rpc';

/** What the global tracer provider delegates to while no SDK registered one. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * The tracer and meter, and whether a call has anything to record: a meter of the no-op provider
 * stays no-op (the global meter provider is not a proxy), the global tracer provider is one (an
 * SDK may be registered later), and a registered propagator alone has context to pass on.
 */
function instruments(options: TelemetryOptions): { tracer: Tracer; meter: Meter; live: () => boolean } {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
  const metered = meter !== createNoopMeter();
  const proxy = tracerProvider instanceof ProxyTracerProvider ? tracerProvider : undefined;
  const live =
    metered || proxy === undefined
      ? () => true
      : () => proxy.getDelegate() !== NOOP_TRACER_PROVIDER || propagation.fields().length > 0;
  return { tracer: tracerProvider.getTracer(SCOPE), meter, live };
}

/**
 * Span events for each message of a call, when asked for. A server's interceptor runs once a unary
 * request arrived: messages already received get their events at once (with their size when there
 * is one).
 */
function messageEvents(span: Span, messages: MessageCounts): void {
  let sent = 0;
  let received = 0;
  const event = (direction: 'sent' | 'received', bytes: number | undefined) =>
    span.addEvent('rpc.message', {
      'rpc.message.type': direction === 'sent' ? 'SENT' : 'RECEIVED',
      'rpc.message.id': direction === 'sent' ? ++sent : ++received,
      ...(bytes === undefined ? {} : { 'rpc.message.compressed_size': bytes }),
    });
  const before = messages.messagesReceived;
  for (let i = 0; i < before; i++) event('received', before === 1 ? messages.bytesReceived : undefined);
  messages.onMessage = event;
}

/** The RPC metrics of one side: duration, sizes and messages per call. */
function callMetrics(meter: Meter, side: 'client' | 'server') {
  const histogram = (name: string, unit: string, description: string) =>
    meter.createHistogram(`rpc.${side}.${name}`, { unit, description });
  const duration = histogram(
    'duration',
    'ms',
    `Duration of ${side === 'client' ? 'outgoing' : 'incoming'} RPC calls`,
  );
  const requestSize = histogram('request.size', 'By', 'Bytes of the request messages of a call, as sent');
  const responseSize = histogram('response.size', 'By', 'Bytes of the response messages of a call, as sent');
  const requests = histogram('requests_per_rpc', '{count}', 'Request messages per call');
  const responses = histogram('responses_per_rpc', '{count}', 'Response messages per call');
  return (ms: number, messages: MessageCounts, attributes: Attributes) => {
    duration.record(ms, attributes);
    const [requestBytes, requestCount, responseBytes, responseCount] =
      side === 'client'
        ? [messages.bytesSent, messages.messagesSent, messages.bytesReceived, messages.messagesReceived]
        : [messages.bytesReceived, messages.messagesReceived, messages.bytesSent, messages.messagesSent];
    requestSize.record(requestBytes, attributes);
    requests.record(requestCount, attributes);
    responseSize.record(responseBytes, attributes);
    responses.record(responseCount, attributes);
  };
}

function ended(span: Span, err: unknown, isError: (code: number) => boolean): number {
  const code = statusOf(err);
  if (!span.isRecording()) {
    span.end();
    return code;
  }
  span.setAttribute('rpc.grpc.status_code', code);
  if (err !== undefined && isError(code)) {
    if (err instanceof Error) span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${statusName(code)}: ${(err as Error).message}` });
  }
  span.end();
  return code;
}

/** Run `next`, end `span` with its outcome and hand its duration (ms) and status code to `done`. */
async function measured(
  next: () => Promise<void>,
  span: Span,
  isError: (code: number) => boolean,
  done: (ms: number, code: number) => void,
  beforeEnd?: () => void,
): Promise<void> {
  const started = performance.now();
  let failure: unknown;
  try {
    await next();
  } catch (err) {
    failure = err ?? new Error('the call failed');
    throw err;
  } finally {
    beforeEnd?.();
    done(performance.now() - started, ended(span, failure, isError));
  }
}

/** `host:port` (or `[v6]:port`) as `[host, port]`, or undefined. */
function hostPort(address: string | undefined): [string, number] | undefined {
  const m = address === undefined ? null : /^\[?(.*?)\]?:(\d+)$/.exec(address);
  return m === null ? undefined : [m[1]!, Number(m[2])];
}

/**
 * A client interceptor: a CLIENT span per call (`<service>/<method>`) with `rpc.system`,
 * `rpc.service`, `rpc.method`, `rpc.grpc.status_code`, `network.transport`, and `server.address`
 * and `server.port` of the server the call went to; the active trace context injected into the
 * request metadata; and the histograms `rpc.client.duration` (ms), `rpc.client.request.size` and
 * `rpc.client.response.size` (bytes per call, as on the wire), `rpc.client.requests_per_rpc` and
 * `rpc.client.responses_per_rpc`. While no SDK (and no propagator) is registered it leaves calls
 * alone: they cost what they cost without it.
 */
export function clientTelemetry(options: TelemetryOptions = {}): ClientInterceptor {
  const { tracer, meter, live } = instruments(options);
  const record = callMetrics(meter, 'client');
  const cache = new AttributeCache();
  const interceptor: ClientInterceptor = async (ctx, next) => {
    const method = cache.of(ctx.path, ctx.service, ctx.method, ctx.transport);
    const span = tracer.startSpan(method.name, { kind: SpanKind.CLIENT, attributes: method.base });
    propagation.inject(trace.setSpan(context.active(), span), ctx.metadata, metadataSetter);
    if (options.messageEvents === true && span.isRecording()) messageEvents(span, ctx.messages);
    await measured(
      next,
      span,
      (c) => c !== 0,
      (ms, code) => record(ms, ctx.messages, method.withCode(code)),
      () => {
        const server = span.isRecording() ? hostPort(ctx.peer) : undefined;
        if (server !== undefined)
          span.setAttributes({ 'server.address': server[0], 'server.port': server[1] });
      },
    );
  };
  interceptor.enabled = live;
  return interceptor;
}

/**
 * A server interceptor: a SERVER span per call, child of the trace context the client sent, made
 * active while the handler runs (its own outgoing calls join the trace), with the attributes of
 * {@link clientTelemetry} and `client.address`/`client.port`, and the same histograms as
 * `rpc.server.*`. The span's status is an error for UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED,
 * INTERNAL, UNAVAILABLE and DATA_LOSS, as the conventions have it for gRPC servers.
 */
export function serverTelemetry(options: TelemetryOptions = {}): ServerInterceptor {
  const { tracer, meter, live } = instruments(options);
  const record = callMetrics(meter, 'server');
  const cache = new AttributeCache();
  const interceptor: ServerInterceptor = async (ctx, next) => {
    const method = cache.of(ctx.path, ctx.service, ctx.method, ctx.transport);
    const parent = propagation.extract(ROOT_CONTEXT, ctx.metadata, metadataGetter);
    const span = tracer.startSpan(method.name, { kind: SpanKind.SERVER, attributes: method.base }, parent);
    if (span.isRecording()) {
      // The peer's address is built when asked: only for a span that keeps it.
      const peer = hostPort(ctx.peer);
      if (peer !== undefined) span.setAttributes({ 'client.address': peer[0], 'client.port': peer[1] });
      if (options.messageEvents === true) messageEvents(span, ctx.messages);
    }
    await measured(
      () => context.with(trace.setSpan(parent, span), next),
      span,
      (c) => SERVER_ERROR_CODES.has(c as Status),
      (ms, code) => record(ms, ctx.messages, method.withCode(code)),
    );
  };
  interceptor.enabled = live;
  return interceptor;
}
