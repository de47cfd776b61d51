/**
 * The registry's own service, defined with weft's RPC: servers register their address under a
 * service name with a TTL lease and keep it alive; clients list or watch a service's addresses.
 */
import { defineService, serverStream, unary } from '../service.js';

/** An address under a service. */
export interface RegistryAddress {
  host: string;
  port: number;
  /** Relative share of calls (1-1000); default 1. */
  weight?: number;
  /** Labels for balancers (at most 16; keys of 1-64 `[A-Za-z0-9._-]`, values of at most 256 characters). */
  attributes?: Record<string, string>;
}

export interface RegisterRequest extends RegistryAddress {
  /** Full service name (`weft.echo.v1.Echo`). */
  service: string;
  /** The lease lasts this long without a keepalive (1-3600 s). */
  ttlSeconds: number;
}

export interface Lease {
  leaseId: string;
  ttlSeconds: number;
}

/** Every address registered under a service now. */
export interface Snapshot {
  addresses: RegistryAddress[];
}

export const RegistryService = defineService('weft.registry.v1.Registry', {
  /** Add an address under a service, for `ttlSeconds` unless kept alive. */
  register: unary<RegisterRequest, Lease>(),
  /** Renew a lease; NOT_FOUND once it expired (register again). */
  keepAlive: unary<{ leaseId: string }, Lease>({ idempotent: true }),
  /** Remove a lease's address now (a graceful shutdown). */
  deregister: unary<{ leaseId: string }, Record<string, never>>({ idempotent: true }),
  list: unary<{ service: string }, Snapshot>({ idempotent: true }),
  /** The current snapshot, then a new one on every change, until cancelled. */
  watch: serverStream<{ service: string }, Snapshot>(),
});
