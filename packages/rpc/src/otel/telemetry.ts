/**
 * OpenTelemetry for weft calls: interceptors that make a span per call (the RPC semantic
 * conventions), carry W3C trace context (`traceparent`, `tracestate`, baggage — whatever the global
 * propagator writes) in the metadata, and record call durations.
 */
import {
  type Attributes,
  context,
  type Meter,
  type MeterProvider,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { ClientInterceptor } from '../client.js';
import type { ServerInterceptor } from '../server.js';
import { type Status, statusName } from '../status.js';
import type { MessageCounts } from '../tracing.js';
import { AttributeCache, SERVER_ERROR_CODES, statusOf } from './attributes.js';
import { metadataGetter, metadataSetter } from './carrier.js';

/** Where the telemetry goes: the global providers unless given others. */
export interface TelemetryOptions {
  tracerProvider?: TracerProvider;
  meterProvider?: MeterProvider;
}

const SCOPE = '@weft/rpc';

function instruments(options: TelemetryOptions): { tracer: Tracer; meter: Meter } {
  return {
    tracer: (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE),
    meter: (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE),
  };
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
): Promise<void> {
  const started = performance.now();
  let failure: unknown;
  try {
    await next();
  } catch (err) {
    failure = err ?? new Error('the call failed');
    throw err;
  } finally {
    done(performance.now() - started, ended(span, failure, isError));
  }
}

/**
 * A client interceptor: a CLIENT span per call (`<service>/<method>`) with `rpc.system`,
 * `rpc.service`, `rpc.method`, `rpc.grpc.status_code` and `network.transport`, the active trace
 * context injected into the request metadata, and the histograms `rpc.client.duration` (ms),
 * `rpc.client.request.size` and `rpc.client.response.size` (bytes per call, as on the wire),
 * `rpc.client.requests_per_rpc` and `rpc.client.responses_per_rpc`.
 */
export function clientTelemetry(options: TelemetryOptions = {}): ClientInterceptor {
  const { tracer, meter } = instruments(options);
  const record = callMetrics(meter, 'client');
  const cache = new AttributeCache();
  return async (ctx, next) => {
    const method = cache.of(ctx.path, ctx.service, ctx.method, ctx.transport);
    const span = tracer.startSpan(method.name, { kind: SpanKind.CLIENT, attributes: method.base });
    propagation.inject(trace.setSpan(context.active(), span), ctx.metadata, metadataSetter);
    await measured(
      next,
      span,
      (c) => c !== 0,
      (ms, code) => record(ms, ctx.messages, method.withCode(code)),
    );
  };
}

/**
 * A server interceptor: a SERVER span per call, child of the trace context the client sent, made
 * active while the handler runs (its own outgoing calls join the trace), with the attributes of
 * {@link clientTelemetry} and `client.address`/`client.port`, and the same histograms as
 * `rpc.server.*`. The span's status is an error for UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED,
 * INTERNAL, UNAVAILABLE and DATA_LOSS, as the conventions have it for gRPC servers.
 */
export function serverTelemetry(options: TelemetryOptions = {}): ServerInterceptor {
  const { tracer, meter } = instruments(options);
  const record = callMetrics(meter, 'server');
  const cache = new AttributeCache();
  return async (ctx, next) => {
    const method = cache.of(ctx.path, ctx.service, ctx.method, ctx.transport);
    const parent = propagation.extract(ROOT_CONTEXT, ctx.metadata, metadataGetter);
    const span = tracer.startSpan(method.name, { kind: SpanKind.SERVER, attributes: method.base }, parent);
    if (span.isRecording()) {
      // The peer's address is built when asked: only for a span that keeps it.
      const peer = /^(.*):(\d+)$/.exec(ctx.peer);
      if (peer !== null) span.setAttributes({ 'client.address': peer[1], 'client.port': Number(peer[2]) });
    }
    await measured(
      () => context.with(trace.setSpan(parent, span), next),
      span,
      (c) => SERVER_ERROR_CODES.has(c as Status),
      (ms, code) => record(ms, ctx.messages, method.withCode(code)),
    );
  };
}
