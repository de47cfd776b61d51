/** The OpenTelemetry RPC semantic-convention attributes weft's spans and metrics carry. */
import type { Attributes } from '@opentelemetry/api';
import { RpcError } from '../errors.js';
import { Status } from '../status.js';

/** `rpc.system`: `grpc` on mux (the gRPC wire format); weft's own envelope protocol otherwise. */
export function rpcSystem(transport: 'mux' | 'pooled' | 'ws'): string {
  return transport === 'mux' ? 'grpc' : 'weft';
}

/** The attributes of a call before it ends. */
export function callAttributes(
  service: string,
  method: string,
  transport: 'mux' | 'pooled' | 'ws',
): Attributes {
  return {
    'rpc.system': rpcSystem(transport),
    'rpc.service': service,
    'rpc.method': method,
    'network.transport': 'tcp',
  };
}

/** The status code of an outcome: 0 when it succeeded, the RpcError's, else UNKNOWN. */
export function statusOf(err: unknown): Status {
  if (err === undefined) return Status.OK;
  return err instanceof RpcError ? err.code : Status.UNKNOWN;
}

/** The codes a server span counts as errors (the RPC semantic conventions for gRPC servers). */
export const SERVER_ERROR_CODES: ReadonlySet<Status> = new Set([
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
  Status.UNIMPLEMENTED,
  Status.INTERNAL,
  Status.UNAVAILABLE,
  Status.DATA_LOSS,
]);
