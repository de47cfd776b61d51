/**
 * `registry://host:port`: a client's addresses for its service, watched live from a weft registry
 * (a server stream of snapshots). A broken watch is reported and re-opened with backoff; the
 * channel keeps the last list meanwhile. A registry that comes back empty (restarted: its servers
 * have not registered again yet) does not empty the list at once: the last good one is kept until
 * the registry lists servers again, for up to {@link EMPTY_HOLD_MS}.
 */
import { Backoff } from '../channel/backoff.js';
import { parseRegistryTarget } from '../channel/parse-target.js';
import type { Address, Resolver } from '../channel/resolver.js';
import { createClient } from '../client.js';
import type { Client } from '../client-types.js';
import { registerResolver } from '../discovery.js';
import { RegistryService } from './service.js';

/**
 * How long an empty list from a re-opened watch is not believed, while the last one had servers:
 * longer than the default 10 s lease, and than a server's longest wait (5 s) to notice the
 * registry is back and register again.
 */
export const EMPTY_HOLD_MS = 15_000;

export class RegistryResolver implements Resolver {
  readonly #registry: string;
  readonly #service: string;
  #client: Client<typeof RegistryService.methods> | undefined;
  #abort = new AbortController();
  #closed = false;
  readonly #backoff = new Backoff({ initialMs: 100, maxMs: 5000 });
  #timer: NodeJS.Timeout | undefined;
  /** The last list with servers in it. */
  #lastGood: Address[] = [];
  /** Since when (ms) the watch broke and has not listed servers again; undefined: it has. */
  #brokenAt: number | undefined;
  #holdTimer: NodeJS.Timeout | undefined;

  /** `registry` as `host:port`. */
  constructor(registry: string, service: string) {
    this.#registry = registry;
    this.#service = service;
  }

  start(onUpdate: (addresses: Address[]) => void, onError: (err: Error) => void): void {
    this.#client = createClient(RegistryService, {
      target: `static:///${this.#registry}`,
      retry: { maxAttempts: 1 },
    });
    const watch = async () => {
      try {
        const stream = this.#client!.watch({ service: this.#service }, { signal: this.#abort.signal });
        for await (const snapshot of stream) {
          this.#backoff.reset();
          this.#received(
            snapshot.addresses.map((a) => ({
              host: a.host,
              port: a.port,
              ...(a.weight === undefined ? {} : { weight: a.weight }),
              ...(a.attributes === undefined ? {} : { attributes: a.attributes }),
            })),
            onUpdate,
          );
        }
        if (!this.#closed) onError(new Error(`the registry at ${this.#registry} ended the watch`));
      } catch (err) {
        if (!this.#closed) onError(err as Error);
      }
      if (this.#closed) return;
      this.#brokenAt ??= Date.now();
      this.#timer = setTimeout(() => void watch(), this.#backoff.next());
      this.#timer.unref();
    };
    void watch();
  }

  #received(addresses: Address[], onUpdate: (addresses: Address[]) => void): void {
    clearTimeout(this.#holdTimer);
    if (addresses.length > 0) {
      this.#lastGood = addresses;
      this.#brokenAt = undefined;
      onUpdate(addresses);
      return;
    }
    const held = this.#brokenAt === undefined ? 0 : this.#brokenAt + EMPTY_HOLD_MS - Date.now();
    if (this.#lastGood.length === 0 || held <= 0) {
      this.#brokenAt = undefined;
      onUpdate(addresses);
      return;
    }
    // Still empty once the hold is over: believe it then.
    this.#holdTimer = setTimeout(() => this.#received(addresses, onUpdate), held);
    this.#holdTimer.unref();
  }

  /** The watch keeps the list current; nothing to ask. */
  refresh(): void {}

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#holdTimer);
    this.#abort.abort();
    this.#client?.close();
  }
}

registerResolver(
  'registry',
  (target, { service }) => new RegistryResolver(parseRegistryTarget(target), service),
);
