/**
 * The telemetry of the weft-mux-otel systems: `@weft/rpc/otel`'s interceptors with no SDK (the
 * global no-op providers, what a library user pays who never registers one), or with the
 * OpenTelemetry SDK recording every span and metric (exported nowhere).
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { TelemetryOptions } from '@weft/rpc/otel';

/** A reader that is never asked: the SDK aggregates every recording, nothing leaves. */
class IdleReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** The providers of `system`: none (the global no-ops) or an SDK's. */
export function telemetryOf(system: 'weft-mux-otel' | 'weft-mux-otel-sdk'): TelemetryOptions {
  if (system === 'weft-mux-otel') return {};
  return {
    tracerProvider: new BasicTracerProvider(),
    meterProvider: new MeterProvider({ readers: [new IdleReader()] }),
  };
}
