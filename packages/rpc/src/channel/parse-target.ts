/** Reading targets: static address lists, `host:port`, `registry://host:port`. */
import { RpcUsageError } from '../errors.js';
import { type Address, addressKey } from './resolver.js';

/** The addresses of a `static:` (or bare) target. */
export function parseStatic(target: string): Address[] {
  let list: string;
  if (target.startsWith('static:///')) list = target.slice('static:///'.length);
  else if (!target.includes('://')) list = target;
  else throw invalidTarget(target, 'unsupported scheme');
  const addresses = list.split(',').map((part) => parseHostPort(part.trim(), target));
  if (addresses.length === 0) throw invalidTarget(target, 'no address');
  return addresses;
}

/** `registry://host:port` → `host:port` (brackets around IPv6). @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET` */
export function parseRegistryTarget(target: string): string {
  if (!target.startsWith('registry://')) throw invalidTarget(target, 'expected registry://host:port');
  return addressKey(parseHostPort(target.slice('registry://'.length).replace(/\/$/, ''), target));
}

/** `host:port` or `[v6]:port` of `target`. @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET` */
export function parseHostPort(text: string, target: string): Address {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(text);
  const port = m === null ? Number.NaN : Number(m[3]);
  if (m === null || port < 1 || port > 65535)
    throw invalidTarget(target, `invalid address ${JSON.stringify(text)}`);
  return { host: (m[1] ?? m[2])!, port };
}

/** The error for an unreadable target. @internal */
export function invalidTarget(target: string, why: string): RpcUsageError {
  return new RpcUsageError('RPC_ERR_INVALID_TARGET', `${why} in target ${JSON.stringify(target)}`);
}
