/**
 * `dns:[//server:port/]name:port` (A and AAAA records) and `dns+srv:[//server:port/]_service._proto.name`
 * (SRV records, RFC 2782: the lowest priority that resolves, weights as shares), through
 * `node:dns`. Re-resolved every `refreshMs` and when the channel asks (at most once per
 * `minIntervalMs`); a failed resolution keeps the last good list.
 */
import { Resolver as DnsClient } from 'node:dns/promises';
import { unrefTimer } from '../timer.js';
import type { Address, Resolver } from './resolver.js';

/** Options of the DNS resolvers. */
export interface DnsResolverOptions {
  /** Re-resolve this often. Default 30 s. */
  refreshMs?: number;
  /** A refresh the channel asks for waits until at least this long after the last. Default 5 s. */
  minIntervalMs?: number;
  /** Give up on one query after this long. Default 5 s. */
  timeoutMs?: number;
}

export interface DnsQuery {
  /** DNS server as `host:port`, or undefined for the system's. */
  server: string | undefined;
  kind: 'a' | 'srv';
  /** The name to resolve. */
  name: string;
  /** Port of the addresses (A/AAAA); SRV records carry their own. */
  port: number;
}

export class DnsResolver implements Resolver {
  readonly #query: DnsQuery;
  readonly #client: DnsClient;
  readonly #refreshMs: number;
  readonly #minIntervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  #running = false;
  #closed = false;
  #current = '';
  #onUpdate: (addresses: Address[]) => void = () => {};
  #onError: (err: Error) => void = () => {};

  constructor(query: DnsQuery, options: DnsResolverOptions = {}) {
    this.#query = query;
    this.#client = new DnsClient({ timeout: options.timeoutMs ?? 5000, tries: 2 });
    if (query.server !== undefined) this.#client.setServers([query.server]);
    this.#refreshMs = options.refreshMs ?? 30_000;
    this.#minIntervalMs = options.minIntervalMs ?? 5000;
  }

  start(onUpdate: (addresses: Address[]) => void, onError: (err: Error) => void): void {
    this.#onUpdate = onUpdate;
    this.#onError = onError;
    void this.#resolve();
  }

  refresh(): void {
    if (this.#closed || this.#running) return;
    const wait = this.#last + this.#minIntervalMs - Date.now();
    if (wait <= 0) void this.#resolve();
    else this.#schedule(wait);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#resolve(), ms);
    unrefTimer(this.#timer);
  }

  async #resolve(): Promise<void> {
    if (this.#closed || this.#running) return;
    this.#running = true;
    this.#last = Date.now();
    try {
      const addresses =
        this.#query.kind === 'a' ? await this.#hosts(this.#query.name, this.#query.port) : await this.#srv();
      if (this.#closed) return;
      if (addresses.length === 0) throw new Error(`${this.#query.name} resolved to no address`);
      const key = JSON.stringify(addresses);
      if (key !== this.#current) {
        this.#current = key;
        this.#onUpdate(addresses);
      }
    } catch (err) {
      if (!this.#closed) this.#onError(err as Error);
    } finally {
      this.#running = false;
      if (!this.#closed) this.#schedule(this.#refreshMs);
    }
  }

  /**
   * A and AAAA records of `name`, sorted so that a change of order is no change. Either family may
   * fail (servers refuse or lack AAAA); only both failing is an error.
   */
  async #hosts(name: string, port: number, weight?: number): Promise<Address[]> {
    const [v4, v6] = await Promise.allSettled([this.#client.resolve4(name), this.#client.resolve6(name)]);
    if (v4.status === 'rejected' && v6.status === 'rejected') throw v4.reason;
    const hosts = [
      ...(v4.status === 'fulfilled' ? v4.value.sort() : []),
      ...(v6.status === 'fulfilled' ? v6.value.sort() : []),
    ];
    return hosts.map((host) => (weight === undefined ? { host, port } : { host, port, weight }));
  }

  /** SRV: the lowest priority whose targets resolve; each target's weight shared among its hosts. */
  async #srv(): Promise<Address[]> {
    const records = await this.#client.resolveSrv(this.#query.name);
    const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
    for (const priority of priorities) {
      const group = records.filter((r) => r.priority === priority);
      const resolved = await Promise.all(
        group.map((r) => this.#hosts(r.name, r.port, Math.max(r.weight, 1)).catch(() => [] as Address[])),
      );
      const addresses = resolved.flat();
      if (addresses.length > 0) {
        return addresses.sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
      }
    }
    return [];
  }
}
