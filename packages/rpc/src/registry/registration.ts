/**
 * A server's registration: one lease per service it serves, kept alive every TTL/3, registered
 * again when the registry lost it (expiry, a registry restart), removed on graceful close. A watch
 * on the registry tells at once when it lost the lease or came back after being away: the leases
 * are then renewed or registered again without waiting for the next keepalive.
 */
import { Backoff } from '../channel/backoff.js';
import { parseRegistryTarget } from '../channel/parse-target.js';
import { createClient } from '../client.js';
import type { Client } from '../client-types.js';
import { type RegisteredAddress, type Registrar, registerRegistrar } from '../discovery.js';
import { RpcError } from '../errors.js';
import { Status } from '../status.js';
import { RegistryService } from './service.js';

/** `listen({ register })`: where and how to register. */
export interface RegisterOptions {
  /** `registry://host:port` (a weft registry) or `etcd://host:port/prefix`. */
  target: string;
  /** Lease time; default 10 s (kept alive every third of it). */
  ttlSeconds?: number;
  /** The address clients should use, when it is not the one listened on (0.0.0.0, a NAT). */
  host?: string;
  port?: number;
  /** Relative share of calls, 1-1000. */
  weight?: number;
  /** Labels clients' balancers can route by (zone, version, ...). */
  attributes?: Record<string, string>;
}

export class Registration implements Registrar {
  readonly #client: Client<typeof RegistryService.methods>;
  readonly #leases = new Map<string, string | undefined>();
  readonly #ttl: number;
  readonly #address: RegisteredAddress;
  readonly #backoff = new Backoff({ initialMs: 200, maxMs: 5000 });
  readonly #watchBackoff = new Backoff({ initialMs: 100, maxMs: 5000 });
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #watchTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** A tick is running; `#again`: another was asked for meanwhile. */
  #ticking = false;
  #again = false;

  constructor(registry: string, services: string[], address: RegisteredAddress, ttlSeconds: number) {
    this.#client = createClient(RegistryService, {
      target: `static:///${registry}`,
      retry: { maxAttempts: 1 },
    });
    this.#ttl = ttlSeconds;
    this.#address = address;
    for (const s of services) this.#leases.set(s, undefined);
  }

  /** Register every service now; resolves once each has a lease (or failed once: it keeps trying). */
  async start(): Promise<void> {
    await this.#tick();
    const [service] = this.#leases.keys();
    if (service !== undefined) void this.#watch(service);
  }

  /** Renew or register now (once the tick running, if one is, has finished). */
  #now(): void {
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    void this.#tick();
  }

  /**
   * Watch one of our services: a snapshot without our address, or the first of a watch re-opened
   * after it broke (the registry was away, perhaps restarted empty), sends us to the registry at once.
   */
  async #watch(service: string, reopened = false): Promise<void> {
    let first = reopened;
    try {
      const stream = this.#client.watch({ service }, { signal: this.#abort.signal });
      for await (const snapshot of stream) {
        this.#watchBackoff.reset();
        const listed = snapshot.addresses.some(
          (a) => a.host === this.#address.host && a.port === this.#address.port,
        );
        if (first || !listed) this.#now();
        first = false;
      }
    } catch {
      // Re-opened below.
    }
    if (this.#stopped) return;
    this.#watchTimer = setTimeout(() => void this.#watch(service, true), this.#watchBackoff.next());
    this.#watchTimer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    this.#ticking = true;
    let failed = false;
    await Promise.all(
      [...this.#leases].map(async ([service, leaseId]) => {
        try {
          if (leaseId !== undefined) {
            try {
              await this.#client.keepAlive({ leaseId }, { timeoutMs: 2000 });
              return;
            } catch (err) {
              // A lost lease (expired, or a restarted registry): register afresh, now.
              if (!(err instanceof RpcError && err.code === Status.NOT_FOUND)) throw err;
              this.#leases.set(service, undefined);
            }
          }
          const lease = await this.#client.register(
            { service, ...this.#address, ttlSeconds: this.#ttl },
            { timeoutMs: 2000 },
          );
          if (this.#stopped)
            await this.#client.deregister({ leaseId: lease.leaseId }, { timeoutMs: 1000 }).catch(() => {});
          else this.#leases.set(service, lease.leaseId);
        } catch {
          failed = true;
        }
      }),
    );
    this.#ticking = false;
    if (this.#stopped) return;
    if (this.#again) {
      this.#again = false;
      void this.#tick();
      return;
    }
    const next = failed ? this.#backoff.next() : (this.#ttl * 1000) / 3;
    if (!failed) this.#backoff.reset();
    this.#timer = setTimeout(() => void this.#tick(), next);
    this.#timer.unref();
  }

  /** Stop keeping leases alive and remove them (best effort, at most ~1 s). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#watchTimer);
    this.#abort.abort();
    await Promise.all(
      [...this.#leases.values()]
        .filter((id): id is string => id !== undefined)
        .map((leaseId) => this.#client.deregister({ leaseId }, { timeoutMs: 1000 }).catch(() => {})),
    );
    this.#client.close();
  }
}

registerRegistrar('registry', {
  check: parseRegistryTarget,
  create: (target, services, address, ttl) =>
    new Registration(parseRegistryTarget(target), services, address, ttl),
});
