/**
 * `weft.health.v1.Health`, served by every weft server: the health of the whole server (service
 * `''`) and of each service it serves, asked once (`check`) or followed (`watch`), as gRPC's
 * health-checking protocol.
 */
import { defineService, serverStream, unary } from '../service.js';

/** A service's health. */
export type HealthStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface HealthRequest {
  /** A full service name, or `''` (the default) for the server as a whole. */
  service?: string;
}

export interface HealthResponse {
  status: HealthStatus;
}

export const HealthService = defineService('weft.health.v1.Health', {
  /** The status now; NOT_FOUND for a service the server does not know. */
  check: unary<HealthRequest, HealthResponse>({ idempotent: true }),
  /** The status now, then each change, until cancelled (SERVICE_UNKNOWN for an unknown service). */
  watch: serverStream<HealthRequest, HealthResponse>(),
});
