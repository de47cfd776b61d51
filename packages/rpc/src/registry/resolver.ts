/**
 * `registry://host:port`: a client's addresses for its service, watched live from a weft registry
 * (a server stream of snapshots). A broken watch is reported and re-opened with backoff; the
 * channel keeps the last list meanwhile.
 */
import { Backoff } from '../channel/backoff.js';
import type { Address, Resolver } from '../channel/resolver.js';
import { type Client, createClient } from '../client.js';
import { RegistryService } from './service.js';

export class RegistryResolver implements Resolver {
  readonly #registry: string;
  readonly #service: string;
  #client: Client<typeof RegistryService.methods> | undefined;
  #abort = new AbortController();
  #closed = false;
  readonly #backoff = new Backoff({ initialMs: 100, maxMs: 5000 });
  #timer: NodeJS.Timeout | undefined;

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
          onUpdate(
            snapshot.addresses.map((a) => ({
              host: a.host,
              port: a.port,
              ...(a.weight === undefined ? {} : { weight: a.weight }),
              ...(a.attributes === undefined ? {} : { attributes: a.attributes }),
            })),
          );
        }
        if (!this.#closed) onError(new Error(`the registry at ${this.#registry} ended the watch`));
      } catch (err) {
        if (!this.#closed) onError(err as Error);
      }
      if (this.#closed) return;
      this.#timer = setTimeout(() => void watch(), this.#backoff.next());
      this.#timer.unref();
    };
    void watch();
  }

  /** The watch keeps the list current; nothing to ask. */
  refresh(): void {}

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    this.#client?.close();
  }
}
