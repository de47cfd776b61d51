/** The health statuses a server reports, and their watchers. */
import { RpcError } from '../errors.js';
import type { ServiceImplementation } from '../server.js';
import { Status } from '../status.js';
import type { HealthRequest, HealthResponse, HealthService, HealthStatus } from './service.js';

/** Watchers of one service at most (a client cannot hold a server's memory with watches). */
const MAX_WATCHERS = 10_000;

export class Health {
  readonly #status = new Map<string, HealthStatus>([['', 'SERVING']]);
  readonly #watchers = new Map<string, Set<(s: HealthStatus) => void>>();

  /** Set a service's status (`''`: the whole server); watchers hear of a change. */
  set(service: string, status: HealthStatus): void {
    if (this.#status.get(service) === status) return;
    this.#status.set(service, status);
    for (const w of this.#watchers.get(service) ?? []) w(status);
  }

  get(service: string): HealthStatus | undefined {
    return this.#status.get(service);
  }

  #closed = false;

  /**
   * Every known service NOT_SERVING (the server is closing); watches end once they have said so,
   * so they do not hold up the graceful close.
   */
  shutdown(): void {
    this.#closed = true;
    for (const service of [...this.#status.keys()]) this.set(service, 'NOT_SERVING');
    for (const set of this.#watchers.values()) for (const w of set) w('NOT_SERVING');
  }

  /** The handlers of `HealthService`. */
  implementation(): ServiceImplementation<typeof HealthService.methods> {
    return {
      check: async (req: HealthRequest) => {
        const status = this.#status.get(req?.service ?? '');
        if (status === undefined)
          throw new RpcError(Status.NOT_FOUND, `unknown service ${JSON.stringify(req?.service)}`);
        return { status };
      },
      watch: (req: HealthRequest, ctx) => this.#watch(String(req?.service ?? ''), ctx.signal),
    };
  }

  async *#watch(service: string, signal: AbortSignal): AsyncGenerator<HealthResponse> {
    let set = this.#watchers.get(service);
    if (set === undefined) {
      set = new Set();
      this.#watchers.set(service, set);
    }
    if (set.size >= MAX_WATCHERS) throw new RpcError(Status.RESOURCE_EXHAUSTED, 'too many health watchers');
    // Only the newest status matters: a slow watcher skips intermediate ones.
    let latest: HealthStatus | undefined = this.#status.get(service) ?? 'SERVICE_UNKNOWN';
    let wake: (() => void) | undefined;
    const listener = (s: HealthStatus) => {
      latest = s;
      wake?.();
    };
    set.add(listener);
    const aborted = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    try {
      while (!signal.aborted) {
        if (latest !== undefined) {
          const status = latest;
          latest = undefined;
          yield { status };
          if (this.#closed) return;
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = undefined;
      }
    } finally {
      set.delete(listener);
      if (set.size === 0) this.#watchers.delete(service);
    }
  }
}
