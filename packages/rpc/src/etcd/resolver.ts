/**
 * `etcd://host:port/prefix`: the addresses under `prefix/<service>/`, read with a range and kept
 * current with a watch; any change reads the range again (simple, and right after compactions). A
 * broken watch (etcd restarting) is reported and re-opened with backoff; the channel keeps the last
 * list meanwhile.
 */
import { Backoff } from '../channel/backoff.js';
import { type Address, checkAttributes, type Resolver } from '../channel/resolver.js';
import { registerResolver } from '../discovery.js';
import { EtcdGateway } from './gateway.js';
import { parseEtcdTarget, serviceKey } from './target.js';

export class EtcdResolver implements Resolver {
  readonly #gateway: EtcdGateway;
  readonly #prefix: string;
  readonly #abort = new AbortController();
  readonly #backoff = new Backoff({ initialMs: 100, maxMs: 5000 });
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(target: string, service: string) {
    const { endpoint, prefix } = parseEtcdTarget(target);
    this.#gateway = new EtcdGateway(endpoint);
    this.#prefix = serviceKey(prefix, service);
  }

  start(onUpdate: (addresses: Address[]) => void, onError: (err: Error) => void): void {
    const loop = async () => {
      try {
        while (!this.#closed) {
          const { kvs, revision } = await this.#gateway.range(this.#prefix);
          onUpdate(kvs.map((kv) => parseAddress(kv.value)).filter((a) => a !== undefined));
          this.#backoff.reset();
          // Wait for the next change after this revision, then read again.
          for await (const _ of this.#gateway.watch(
            this.#prefix,
            String(BigInt(revision) + 1n),
            this.#abort.signal,
          ))
            break;
        }
      } catch (err) {
        if (this.#closed) return;
        onError(err as Error);
        this.#timer = setTimeout(() => void loop(), this.#backoff.next());
        this.#timer.unref();
      }
    };
    void loop();
  }

  refresh(): void {}

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
  }
}

/** An address as registrations write it (`{"host","port","weight"?}`); anything else is skipped. */
function parseAddress(value: string): Address | undefined {
  try {
    const v = JSON.parse(value) as { host?: unknown; port?: unknown; weight?: unknown };
    if (
      typeof v.host !== 'string' ||
      !Number.isInteger(v.port) ||
      (v.port as number) < 1 ||
      (v.port as number) > 65535
    ) {
      return undefined;
    }
    const weight = typeof v.weight === 'number' && v.weight >= 1 ? v.weight : undefined;
    const attributes = checkAttributes((v as { attributes?: unknown }).attributes);
    return {
      host: v.host,
      port: v.port as number,
      ...(weight === undefined ? {} : { weight }),
      ...(attributes === undefined ? {} : { attributes }),
    };
  } catch {
    return undefined;
  }
}

registerResolver('etcd', (target, { service }) => new EtcdResolver(target, service));
