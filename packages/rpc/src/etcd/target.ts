/** `etcd://host:port/prefix`: the etcd endpoint and the key prefix (default `weft`). */
import { parseHostPort } from '../channel/parse-target.js';
import { addressKey } from '../channel/resolver.js';
import { RpcUsageError } from '../errors.js';

/** @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET` */
export function parseEtcdTarget(target: string): { endpoint: string; prefix: string } {
  const m = /^etcd:\/\/([^/\s]+)(?:\/(.*))?$/.exec(target);
  if (m === null) {
    throw new RpcUsageError(
      'RPC_ERR_INVALID_TARGET',
      `expected etcd://host:port/prefix, got ${JSON.stringify(target)}`,
    );
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '') || 'weft';
  return { endpoint: addressKey(parseHostPort(m[1]!, target)), prefix };
}

/** Where a service's addresses live: `prefix/service/`. */
export function serviceKey(prefix: string, service: string): string {
  return `${prefix}/${service}/`;
}
