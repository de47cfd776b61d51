/**
 * A server's registration: one lease per service it serves, kept alive every TTL/3, registered
 * again when the registry lost it (expiry, a registry restart), removed on graceful close.
 */
import { Backoff } from '../channel/backoff.js';
import { type Client, createClient } from '../client.js';
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

/** What a server registers. @internal */
export interface RegisteredAddress {
  host: string;
  port: number;
  weight?: number;
  attributes?: Record<string, string>;
}

/** Keeps a server's addresses registered while it listens. @internal */
export interface Registrar {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class Registration implements Registrar {
  readonly #client: Client<typeof RegistryService.methods>;
  readonly #leases = new Map<string, string | undefined>();
  readonly #ttl: number;
  readonly #address: RegisteredAddress;
  readonly #backoff = new Backoff({ initialMs: 200, maxMs: 5000 });
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

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
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    let failed = false;
    await Promise.all(
      [...this.#leases].map(async ([service, leaseId]) => {
        try {
          if (leaseId !== undefined) {
            await this.#client.keepAlive({ leaseId }, { timeoutMs: 2000 });
            return;
          }
          const lease = await this.#client.register(
            { service, ...this.#address, ttlSeconds: this.#ttl },
            { timeoutMs: 2000 },
          );
          if (this.#stopped)
            await this.#client.deregister({ leaseId: lease.leaseId }, { timeoutMs: 1000 }).catch(() => {});
          else this.#leases.set(service, lease.leaseId);
        } catch (err) {
          failed = true;
          // A lost lease (expired, or a restarted registry): register afresh on the next tick.
          if (err instanceof RpcError && err.code === Status.NOT_FOUND) this.#leases.set(service, undefined);
        }
      }),
    );
    if (this.#stopped) return;
    const next = failed ? this.#backoff.next() : (this.#ttl * 1000) / 3;
    if (!failed) this.#backoff.reset();
    this.#timer = setTimeout(() => void this.#tick(), next);
    this.#timer.unref();
  }

  /** Stop keeping leases alive and remove them (best effort, at most ~1 s). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.all(
      [...this.#leases.values()]
        .filter((id): id is string => id !== undefined)
        .map((leaseId) => this.#client.deregister({ leaseId }, { timeoutMs: 1000 }).catch(() => {})),
    );
    this.#client.close();
  }
}
