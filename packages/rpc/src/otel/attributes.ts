/** The OpenTelemetry RPC semantic-convention attributes weft's spans and metrics carry. */

import type { Attributes } from '@opentelemetry/api';
import type { TransportKind } from '../client-types.js';
import { RpcError } from '../errors.js';
import { Status } from '../status.js';

/** `rpc.system`: `grpc` on mux (the gRPC wire format); weft's own envelope protocol otherwise. */
export function rpcSystem(transport: TransportKind): string {
  return transport === 'mux' ? 'grpc' : 'weft';
}

/**
 * The attributes of one method on one transport, before and after the call (with its status code),
 * built once each and shared by every call: instruments and spans copy what they keep.
 */
export class MethodAttributes {
  readonly name: string;
  readonly base: Attributes;
  readonly #byCode = new Map<number, Attributes>();

  constructor(service: string, method: string, transport: TransportKind) {
    this.name = `${service}/${method}`;
    this.base = {
      'rpc.system': rpcSystem(transport),
      'rpc.service': service,
      'rpc.method': method,
      'network.transport': 'tcp',
    };
  }

  /** The base attributes with `rpc.grpc.status_code`. */
  withCode(code: number): Attributes {
    let attributes = this.#byCode.get(code);
    if (attributes === undefined) {
      attributes = { ...this.base, 'rpc.grpc.status_code': code };
      this.#byCode.set(code, attributes);
    }
    return attributes;
  }
}

/** {@link MethodAttributes} per path and transport, made on first use. */
export class AttributeCache {
  readonly #cache = new Map<string, MethodAttributes>();

  of(path: string, service: string, method: string, transport: TransportKind): MethodAttributes {
    const key = transport + path;
    let attributes = this.#cache.get(key);
    if (attributes === undefined) {
      attributes = new MethodAttributes(service, method, transport);
      this.#cache.set(key, attributes);
    }
    return attributes;
  }
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
