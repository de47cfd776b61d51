/**
 * Client targets: `static:///host:port[,host:port]` (or a bare `host:port[,...]`),
 * `dns:[//server:port/]name:port` and `dns+srv:[//server:port/]_service._proto.name`.
 */
import { RpcUsageError } from '../errors.js';
import { EtcdResolver } from '../etcd/resolver.js';
import { RegistryResolver } from '../registry/resolver.js';
import { DnsResolver, type DnsResolverOptions } from './dns-resolver.js';
import { type Address, addressKey, type Resolver } from './resolver.js';
import { StaticResolver } from './static-resolver.js';

const SCHEMES =
  'static:///host:port,..., dns:///name:port, dns+srv:///_service._proto.name, registry://host:port, etcd://host:port/prefix';

/**
 * The resolver of `target`; `service` is the full name of the client's service (a registry keeps
 * addresses per service). @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET`
 */
export function resolverFor(target: string, dns: DnsResolverOptions = {}, service = ''): Resolver {
  if (target.startsWith('registry://')) return new RegistryResolver(parseRegistryTarget(target), service);
  if (target.startsWith('etcd://')) return new EtcdResolver(target, service);
  if (target.startsWith('dns:') || target.startsWith('dns+srv:')) {
    const srv = target.startsWith('dns+srv:');
    const rest = target.slice(srv ? 'dns+srv:'.length : 'dns:'.length);
    let server: string | undefined;
    let name = rest;
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      if (slash < 0) throw invalid(target, 'expected dns://[server]/name');
      server = rest.slice(2, slash) || undefined;
      name = rest.slice(slash + 1);
    }
    if (server !== undefined) parseHostPort(server, target);
    if (srv) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw invalid(target, `invalid SRV name ${JSON.stringify(name)}`);
      return new DnsResolver({ server, kind: 'srv', name, port: 0 }, dns);
    }
    const { host, port } = parseHostPort(name, target);
    return new DnsResolver({ server, kind: 'a', name: host, port }, dns);
  }
  return new StaticResolver(parseStatic(target));
}

/** The addresses of a `static:` (or bare) target. */
export function parseStatic(target: string): Address[] {
  let list: string;
  if (target.startsWith('static:///')) list = target.slice('static:///'.length);
  else if (!target.includes('://')) list = target;
  else throw invalid(target, `unsupported scheme (supported: ${SCHEMES})`);
  const addresses = list.split(',').map((part) => parseHostPort(part.trim(), target));
  if (addresses.length === 0) throw invalid(target, 'no address');
  return addresses;
}

/** `registry://host:port` → `host:port` (brackets around IPv6). @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET` */
export function parseRegistryTarget(target: string): string {
  if (!target.startsWith('registry://')) throw invalid(target, 'expected registry://host:port');
  return addressKey(parseHostPort(target.slice('registry://'.length).replace(/\/$/, ''), target));
}

/** `host:port` or `[v6]:port` of `target`. @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET` */
export function parseHostPort(text: string, target: string): Address {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(text);
  const port = m === null ? Number.NaN : Number(m[3]);
  if (m === null || port < 1 || port > 65535)
    throw invalid(target, `invalid address ${JSON.stringify(text)}`);
  return { host: (m[1] ?? m[2])!, port };
}

function invalid(target: string, why: string): RpcUsageError {
  return new RpcUsageError('RPC_ERR_INVALID_TARGET', `${why} in target ${JSON.stringify(target)}`);
}
