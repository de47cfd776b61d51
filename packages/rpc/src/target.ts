import { RpcUsageError } from './errors.js';

/** One address a target resolves to. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * Parse a target URI. Supported here: `static:///host:port[,host:port...]` and a bare `host:port`.
 * Resolvers with discovery (`dns:///`, `registry://`, `etcd://`) are issue 7's channel.
 * @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET`
 */
export function parseTarget(target: string): Endpoint[] {
  let list: string;
  if (target.startsWith('static:///')) list = target.slice('static:///'.length);
  else if (!target.includes('://')) list = target;
  else {
    throw new RpcUsageError(
      'RPC_ERR_INVALID_TARGET',
      `unsupported target scheme in ${JSON.stringify(target)} (supported: static:///host:port,...)`,
    );
  }
  const endpoints = list.split(',').map((part) => parseHostPort(part.trim(), target));
  if (endpoints.length === 0) throw new RpcUsageError('RPC_ERR_INVALID_TARGET', `no address in ${target}`);
  return endpoints;
}

function parseHostPort(text: string, target: string): Endpoint {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const port = m === null ? Number.NaN : Number(m[3]);
  if (m === null || port < 1 || port > 65535) {
    throw new RpcUsageError('RPC_ERR_INVALID_TARGET', `invalid address ${JSON.stringify(text)} in ${target}`);
  }
  return { host: (m[1] ?? m[2])!, port };
}
