/** `etcd://host:port/prefix`: the etcd endpoint and the key prefix (default `weft`). */
import { RpcUsageError } from '../errors.js';

export function parseEtcdTarget(target: string): { endpoint: string; prefix: string } {
  const m = /^etcd:\/\/([^/\s]+:\d{1,5})(?:\/(.*))?$/.exec(target);
  if (m === null) {
    throw new RpcUsageError(
      'RPC_ERR_INVALID_TARGET',
      `expected etcd://host:port/prefix, got ${JSON.stringify(target)}`,
    );
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '') || 'weft';
  return { endpoint: m[1]!, prefix };
}

/** Where a service's addresses live: `prefix/service/`. */
export function serviceKey(prefix: string, service: string): string {
  return `${prefix}/${service}/`;
}
