/**
 * Active health checks: a channel asks each endpoint's `grpc.health.v1.Health` for its service
 * every `intervalMs`, over the endpoint's own connection; an endpoint that answers anything but
 * SERVING (or nothing within `timeoutMs`) is taken out of the balancer until it answers SERVING.
 * A server that does not serve the health service (UNIMPLEMENTED) counts as healthy, as in gRPC's
 * client-side health checking (gRFC A17): checks cannot be asked of it, calls can.
 */
import type { MethodInfo } from '../call.js';
import { ClientCall } from '../client-call.js';
import { RpcError } from '../errors.js';
import { HealthService } from '../health/service.js';
import { EMPTY_METADATA } from '../metadata.js';
import { methodCodecs, wirePath } from '../service.js';
import { Status } from '../status.js';
import { unrefTimer } from '../timer.js';
import type { Endpoint } from './endpoint.js';

/** Client option `healthCheck`. */
export interface HealthCheckOptions {
  /** Ask this often. */
  intervalMs: number;
  /** An answer must come within this long. Default: `intervalMs`, at most 5 s. */
  timeoutMs?: number;
  /** The service asked about; default the client's service (`''`: the server as a whole). */
  service?: string;
}

const check = HealthService.methods.check;
const CHECK_CODECS = methodCodecs(HealthService.name, 'check', check, HealthService.options);
const CHECK: MethodInfo = {
  path: wirePath(HealthService.name, 'check', check),
  kind: 'unary',
  codecName: CHECK_CODECS.subtype,
  maxMessageBytes: 64 * 1024,
  idempotent: true,
};

/**
 * Starts checking one endpoint about `service` (the client's, unless the options name one),
 * calling `changed` when its verdict flips; returns the stopper.
 */
export type HealthChecker = (endpoint: Endpoint, service: string, changed: () => void) => () => void;

/** The channel option `healthCheck` that checks with `options`. */
export function healthChecker(options: HealthCheckOptions): HealthChecker {
  return (endpoint, service, changed) => startHealthCheck(endpoint, options, service, changed);
}

function startHealthCheck(
  endpoint: Endpoint,
  options: HealthCheckOptions,
  service: string,
  changed: () => void,
): () => void {
  const timeout = options.timeoutMs ?? Math.min(options.intervalMs, 5000);
  let stopped = false;
  const check = async () => {
    const call = new ClientCall(CHECK, CHECK_CODECS, endpoint.transport, {}, Number.POSITIVE_INFINITY);
    call.start(EMPTY_METADATA, Date.now() + timeout);
    call.send({ service: options.service ?? service }, true);
    let healthy: boolean;
    try {
      healthy = ((await call.done) as { status?: string }).status === 'SERVING';
    } catch (err) {
      healthy = err instanceof RpcError && err.code === Status.UNIMPLEMENTED;
    }
    if (stopped || endpoint.healthy === healthy) return;
    endpoint.healthy = healthy;
    changed();
  };
  const timer = setInterval(() => void check(), options.intervalMs);
  unrefTimer(timer);
  void check();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
