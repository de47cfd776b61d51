/**
 * `@weft/rpc/otel`: OpenTelemetry for weft clients and servers, through `@opentelemetry/api` (an
 * optional peer dependency: install it, and an SDK, to use this entry).
 *
 * @example
 * const server = createServer({ interceptors: [serverTelemetry()] });
 * const client = createClient(Echo, { target, interceptors: [clientTelemetry()] });
 * @packageDocumentation
 */

export { channelTelemetry } from './channel.js';
export { clientTelemetry, serverTelemetry, type TelemetryOptions } from './telemetry.js';
