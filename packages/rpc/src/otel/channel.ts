/**
 * A client's channel as OpenTelemetry observable gauges, read from `stats()` at each collection:
 * `rpc.client.endpoints` by `state` (idle, connecting, ready, transient-failure, and ejected) and
 * `rpc.client.calls_in_flight`, both with `rpc.service`.
 */
import { type MeterProvider, metrics } from '@opentelemetry/api';
import { channelOf } from '../client-build.js';

/**
 * Observe `client`'s channel (a client made by `createClient`) until the returned function is
 * called (call it before, or with, `client.close()`).
 */
export function channelTelemetry(
  client: object,
  options: { service: string; meterProvider?: MeterProvider },
): () => void {
  const channel = channelOf(client);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter('@weft/rpc');
  const endpoints = meter.createObservableGauge('rpc.client.endpoints', {
    unit: '{endpoint}',
    description: "Endpoints of a client's channel, by state",
  });
  const inFlight = meter.createObservableGauge('rpc.client.calls_in_flight', {
    unit: '{call}',
    description: "Calls in flight on a client's channel",
  });
  const observe = (result: {
    observe(instrument: typeof endpoints, value: number, attributes: Record<string, string>): void;
  }) => {
    const stats = channel.stats();
    const byState = new Map<string, number>([
      ['idle', 0],
      ['connecting', 0],
      ['ready', 0],
      ['transient-failure', 0],
      ['ejected', 0],
    ]);
    for (const e of stats.endpoints) {
      const state = e.ejected ? 'ejected' : e.state;
      byState.set(state, (byState.get(state) ?? 0) + 1);
    }
    for (const [state, n] of byState) result.observe(endpoints, n, { 'rpc.service': options.service, state });
    result.observe(inFlight, stats.callsInFlight, { 'rpc.service': options.service });
  };
  meter.addBatchObservableCallback(observe, [endpoints, inFlight]);
  return () => meter.removeBatchObservableCallback(observe, [endpoints, inFlight]);
}
