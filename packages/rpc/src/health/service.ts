/**
 * `grpc.health.v1.Health` (grpc/grpc doc/health-checking.md, grpc/health/v1/health.proto), served
 * by every weft server in protobuf: the health of the whole server (service `''`) and of each
 * service it serves, asked once (`check`) or followed (`watch`). Kubernetes `grpc:` probes,
 * grpc_health_probe and any gRPC stack's health client can ask it.
 */
import type { MessageCodec } from '../codec.js';
import { ProtoWriter, readFields, WireType } from '../proto/wire.js';
import { defineService, serverStream, unary } from '../service.js';

/** A service's health: `HealthCheckResponse.ServingStatus`'s names. */
export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** `grpc.health.v1.HealthCheckRequest`. */
export interface HealthRequest {
  /** A full service name, or `''` (the default) for the server as a whole. */
  service?: string;
}

/** `grpc.health.v1.HealthCheckResponse`. */
export interface HealthResponse {
  status: HealthStatus;
}

/** `ServingStatus` by wire number. */
const STATUSES: readonly HealthStatus[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

const requestCodec: MessageCodec<HealthRequest> = {
  name: 'proto',
  encode: (req) => new ProtoWriter().string(1, req.service ?? '').finish(),
  decode: (bytes) => {
    let service = '';
    readFields(bytes, (field, wireType, r) => {
      if (field !== 1 || wireType !== WireType.LengthDelimited) return false;
      service = r.string();
      return true;
    });
    return { service };
  },
};

const responseCodec: MessageCodec<HealthResponse> = {
  name: 'proto',
  encode: (res) => new ProtoWriter().int(1, Math.max(0, STATUSES.indexOf(res.status))).finish(),
  decode: (bytes) => {
    let status: HealthStatus = 'UNKNOWN';
    readFields(bytes, (field, wireType, r) => {
      if (field !== 1 || wireType !== WireType.Varint) return false;
      // An enum number this side does not know reads as UNKNOWN (proto3 open enums).
      status = STATUSES[r.int32()] ?? 'UNKNOWN';
      return true;
    });
    return { status };
  },
};

const codecs = { requestCodec, responseCodec } as { requestCodec: MessageCodec; responseCodec: MessageCodec };

export const HealthService = defineService('grpc.health.v1.Health', {
  /** The status now; NOT_FOUND for a service the server does not know. */
  check: unary<HealthRequest, HealthResponse>({ idempotent: true, ...codecs, name: 'Check' }),
  /** The status now, then each change, until cancelled (SERVICE_UNKNOWN for an unknown service). */
  watch: serverStream<HealthRequest, HealthResponse>({ ...codecs, name: 'Watch' }),
});
