/**
 * Discovery as plug-ins: target schemes a client resolves (`registerResolver`) and register targets
 * a server announces itself at (`registerRegistrar`). The built-in `registry://` and `etcd://`
 * plug in here like any other; `static:`, `dns:` and `dns+srv:` are the channel's own.
 */
import { DnsResolver, type DnsResolverOptions } from './channel/dns-resolver.js';
import { invalidTarget, parseHostPort, parseStatic } from './channel/parse-target.js';
import type { Resolver } from './channel/resolver.js';
import { StaticResolver } from './channel/static-resolver.js';
import { RpcUsageError } from './errors.js';

/** What a resolver factory is told besides the target. */
export interface ResolverContext {
  /** The full name of the client's service (a registry keeps addresses per service). */
  service: string;
  /** The client's `dns` options. */
  dns: DnsResolverOptions;
}

/**
 * Makes the resolver of a target of its scheme; throws an `RpcUsageError`
 * (`RPC_ERR_INVALID_TARGET`) for a target it cannot read.
 */
export type ResolverFactory = (target: string, context: ResolverContext) => Resolver;

/** An address a server registers. */
export interface RegisteredAddress {
  host: string;
  port: number;
  weight?: number;
  attributes?: Record<string, string>;
}

/** A server's registration in one discovery system: kept alive from `start()` until `stop()`. */
export interface Registrar {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** How a server registers at targets of one scheme. */
export interface RegistrarFactory {
  /** Check `target` before the server listens; throw an `RpcUsageError` when it cannot work. */
  check(target: string): void;
  /** The registration of `services` at `address`, with leases of `ttlSeconds`. */
  create(target: string, services: string[], address: RegisteredAddress, ttlSeconds: number): Registrar;
}

const BUILT_IN = new Set(['static', 'dns', 'dns+srv']);
const SCHEME = /^[a-z][a-z0-9+.-]*$/;
const resolvers = new Map<string, ResolverFactory>();
const registrars = new Map<string, RegistrarFactory>();

function checkScheme(scheme: string, what: string): void {
  if (!SCHEME.test(scheme) || BUILT_IN.has(scheme)) {
    throw new RpcUsageError(
      'RPC_ERR_INVALID_OPTION',
      `${what}: ${JSON.stringify(scheme)} is not a URI scheme of its own (lower case, not static, dns or dns+srv)`,
    );
  }
}

/** The scheme of `target` (`etcd` of `etcd://…`), lower-cased, or undefined. */
export function schemeOf(target: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(target);
  return m === null ? undefined : m[1]!.toLowerCase();
}

/**
 * Let clients resolve targets of `scheme` (`<scheme>://…`) with `factory`; a later registration of
 * the same scheme replaces the earlier one. @throws {RpcUsageError} `RPC_ERR_INVALID_OPTION`
 */
export function registerResolver(scheme: string, factory: ResolverFactory): void {
  checkScheme(scheme, 'registerResolver');
  resolvers.set(scheme, factory);
}

/**
 * The resolver of a client's `target`: a registered scheme's, else `dns:`, `dns+srv:` or static
 * addresses. `service` is the full name of the client's service.
 * @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET` @internal
 */
export function resolverFor(target: string, dns: DnsResolverOptions = {}, service = ''): Resolver {
  const scheme = schemeOf(target);
  // Registered schemes are written `<scheme>://…`, so that a bare `host:port` is never one.
  const factory =
    scheme === undefined || !target.startsWith('//', scheme.length + 1) ? undefined : resolvers.get(scheme);
  if (factory !== undefined) return factory(target, { service, dns });
  if (scheme === 'dns' || scheme === 'dns+srv') {
    const srv = scheme === 'dns+srv';
    const rest = target.slice(scheme.length + 1);
    let server: string | undefined;
    let name = rest;
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      if (slash < 0) throw invalidTarget(target, 'expected dns://[server]/name');
      server = rest.slice(2, slash) || undefined;
      name = rest.slice(slash + 1);
    }
    if (server !== undefined) parseHostPort(server, target);
    if (srv) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name))
        throw invalidTarget(target, `invalid SRV name ${JSON.stringify(name)}`);
      return new DnsResolver({ server, kind: 'srv', name, port: 0 }, dns);
    }
    const { host, port } = parseHostPort(name, target);
    return new DnsResolver({ server, kind: 'a', name: host, port }, dns);
  }
  if (scheme !== undefined && scheme !== 'static' && target.includes('://')) {
    const known = ['static', 'dns', 'dns+srv', ...resolvers.keys()].map((k) => `${k}:`).join(', ');
    throw invalidTarget(target, `unsupported scheme ${scheme}: (known: ${known})`);
  }
  return new StaticResolver(parseStatic(target));
}

/**
 * Let servers register at targets of `scheme` (`register: { target: '<scheme>:…' }`) with
 * `factory`. @throws {RpcUsageError} `RPC_ERR_INVALID_OPTION`
 */
export function registerRegistrar(scheme: string, factory: RegistrarFactory): void {
  checkScheme(scheme, 'registerRegistrar');
  registrars.set(scheme, factory);
}

/** The registrar factory for `target`. @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET` @internal */
export function registrarFactory(target: string): RegistrarFactory {
  const scheme = schemeOf(target);
  const factory = scheme === undefined ? undefined : registrars.get(scheme);
  if (factory === undefined) {
    throw new RpcUsageError(
      'RPC_ERR_INVALID_TARGET',
      `register.target must be one of ${[...registrars.keys()].map((s) => `${s}://…`).join(', ')}, got ${target}`,
    );
  }
  return factory;
}
