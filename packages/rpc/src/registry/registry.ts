/**
 * The registry's state: leases by id, addresses by service, watchers notified on every change.
 * Every input is bounded: lease count, TTL range, name and host lengths, watchers per service.
 */
import { randomBytes } from 'node:crypto';
import { checkAttributes } from '../channel/resolver.js';
import { RpcError } from '../errors.js';
import { Watchers } from '../follow.js';
import { Status } from '../status.js';
import type { Lease, RegisterRequest, RegistryAddress, Snapshot } from './service.js';

/** Limits of a registry. */
export interface RegistryLimits {
  /** Leases held at once. Default 10,000. */
  maxLeases?: number;
  /** Watchers per service. Default 10,000. */
  maxWatchers?: number;
  /** Longest TTL a lease may ask for. Default 3600 s. */
  maxTtlSeconds?: number;
}

interface Entry {
  service: string;
  address: RegistryAddress;
  ttlSeconds: number;
  timer: NodeJS.Timeout;
}

const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const HOST = /^[A-Za-z0-9_.:-]{1,255}$/;

export class Registry {
  readonly #leases = new Map<string, Entry>();
  /** Lease ids by service, so that a change costs the size of its service, not of the registry. */
  readonly #byService = new Map<string, Set<string>>();
  readonly #watchers: Watchers<Snapshot>;
  readonly #maxLeases: number;
  readonly #maxTtl: number;

  constructor(limits: RegistryLimits = {}) {
    this.#maxLeases = limits.maxLeases ?? 10_000;
    this.#watchers = new Watchers(limits.maxWatchers ?? 10_000, 'watchers');
    this.#maxTtl = limits.maxTtlSeconds ?? 3600;
  }

  /** Leases held now. */
  get size(): number {
    return this.#leases.size;
  }

  register(req: RegisterRequest): Lease {
    checkService(req?.service);
    if (typeof req.host !== 'string' || !HOST.test(req.host))
      invalid('host must be a host name or IP address');
    if (!Number.isInteger(req.port) || req.port < 1 || req.port > 65535) invalid('port must be 1-65535');
    const weight = req.weight ?? 1;
    if (!Number.isInteger(weight) || weight < 1 || weight > 1000) invalid('weight must be an integer 1-1000');
    if (!Number.isInteger(req.ttlSeconds) || req.ttlSeconds < 1 || req.ttlSeconds > this.#maxTtl) {
      invalid(`ttlSeconds must be an integer 1-${this.#maxTtl}`);
    }
    if (this.#leases.size >= this.#maxLeases) {
      throw new RpcError(
        Status.RESOURCE_EXHAUSTED,
        `the registry holds its limit of ${this.#maxLeases} leases`,
      );
    }
    const attributes = req.attributes === undefined ? undefined : checkAttributes(req.attributes);
    if (req.attributes !== undefined && attributes === undefined) {
      invalid('attributes must be at most 16 short strings under keys of [A-Za-z0-9._-]');
    }
    const leaseId = randomBytes(12).toString('hex');
    const address: RegistryAddress = {
      host: req.host,
      port: req.port,
      ...(weight === 1 ? {} : { weight }),
      ...(attributes === undefined ? {} : { attributes }),
    };
    this.#leases.set(leaseId, {
      service: req.service,
      address,
      ttlSeconds: req.ttlSeconds,
      timer: this.#expiry(leaseId, req.ttlSeconds),
    });
    let ids = this.#byService.get(req.service);
    if (ids === undefined) {
      ids = new Set();
      this.#byService.set(req.service, ids);
    }
    ids.add(leaseId);
    this.#changed(req.service);
    return { leaseId, ttlSeconds: req.ttlSeconds };
  }

  keepAlive(leaseId: string): Lease {
    const entry = this.#leases.get(String(leaseId));
    if (entry === undefined)
      throw new RpcError(Status.NOT_FOUND, 'no such lease (it expired or was removed)');
    clearTimeout(entry.timer);
    entry.timer = this.#expiry(leaseId, entry.ttlSeconds);
    return { leaseId, ttlSeconds: entry.ttlSeconds };
  }

  deregister(leaseId: string): void {
    const entry = this.#leases.get(String(leaseId));
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#leases.delete(leaseId);
    const ids = this.#byService.get(entry.service);
    ids?.delete(leaseId);
    if (ids?.size === 0) this.#byService.delete(entry.service);
    this.#changed(entry.service);
  }

  list(service: string): Snapshot {
    checkService(service);
    const addresses: RegistryAddress[] = [];
    for (const id of this.#byService.get(service) ?? []) addresses.push(this.#leases.get(id)!.address);
    addresses.sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
    return { addresses };
  }

  /** Call `listener` with every new snapshot of `service`; returns the unsubscriber. */
  watch(service: string, listener: (s: Snapshot) => void): () => void {
    checkService(service);
    return this.#watchers.add(service, listener);
  }

  /** Drop every lease (the registry stops). */
  clear(): void {
    for (const e of this.#leases.values()) clearTimeout(e.timer);
    this.#leases.clear();
    this.#byService.clear();
  }

  #expiry(leaseId: string, ttlSeconds: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.deregister(leaseId), ttlSeconds * 1000);
    timer.unref();
    return timer;
  }

  #changed(service: string): void {
    if (this.#watchers.has(service)) this.#watchers.notify(service, this.list(service));
  }
}

function checkService(service: unknown): asserts service is string {
  if (typeof service !== 'string' || !NAME.test(service)) invalid('service must be 1-256 of [A-Za-z0-9_.-]');
}

function invalid(message: string): never {
  throw new RpcError(Status.INVALID_ARGUMENT, message);
}
