/**
 * A server's registration in etcd: a lease of `ttlSeconds`, one key per service served
 * (`prefix/<service>/<host:port>` → `{"host","port","weight"?}`) under it, the lease kept alive
 * every TTL/3. A lease etcd no longer knows (expired while etcd was down, or etcd's data lost) is
 * granted again and the keys put again. `stop()` revokes the lease, removing every key at once.
 */
import { Backoff } from '../channel/backoff.js';
import { addressKey } from '../channel/resolver.js';
import { type RegisteredAddress, type Registrar, registerRegistrar } from '../discovery.js';
import { EtcdGateway } from './gateway.js';
import { parseEtcdTarget, serviceKey } from './target.js';

export class EtcdRegistration implements Registrar {
  readonly #gateway: EtcdGateway;
  readonly #prefix: string;
  readonly #services: string[];
  readonly #address: RegisteredAddress;
  readonly #ttl: number;
  readonly #backoff = new Backoff({ initialMs: 200, maxMs: 5000 });
  #lease: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(target: string, services: string[], address: RegisteredAddress, ttlSeconds: number) {
    const { endpoint, prefix } = parseEtcdTarget(target);
    this.#gateway = new EtcdGateway(endpoint, 2000);
    this.#prefix = prefix;
    this.#services = services;
    this.#address = address;
    this.#ttl = ttlSeconds;
  }

  /** The current lease id (a 64-bit number, as a string), once granted. */
  get lease(): string | undefined {
    return this.#lease;
  }

  async start(): Promise<void> {
    await this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    let ok = true;
    try {
      if (this.#lease !== undefined && (await this.#gateway.keepAlive(this.#lease)) === 0)
        this.#lease = undefined;
      if (this.#lease === undefined) {
        const lease = await this.#gateway.grant(this.#ttl);
        const value = JSON.stringify(this.#address);
        for (const service of this.#services) {
          await this.#gateway.put(
            `${serviceKey(this.#prefix, service)}${addressKey(this.#address)}`,
            value,
            lease,
          );
        }
        this.#lease = lease;
        if (this.#stopped) await this.#gateway.revoke(lease).catch(() => {});
      }
    } catch {
      // etcd unreachable (restarting): keep trying, faster than the TTL.
      ok = false;
    }
    if (this.#stopped) return;
    const next = ok ? (this.#ttl * 1000) / 3 : this.#backoff.next();
    if (ok) this.#backoff.reset();
    this.#timer = setTimeout(() => void this.#tick(), next);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#lease !== undefined) await this.#gateway.revoke(this.#lease).catch(() => {});
  }
}

registerRegistrar('etcd', {
  check: parseEtcdTarget,
  create: (target, services, address, ttl) => new EtcdRegistration(target, services, address, ttl),
});
