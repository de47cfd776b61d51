/** The health statuses a server reports, and their watchers. */
import { RpcError } from '../errors.js';
import { follow, Watchers } from '../follow.js';
import type { ServiceImplementation } from '../server.js';
import { Status } from '../status.js';
import type { HealthRequest, HealthService, HealthStatus } from './service.js';

/** Watchers of one service at most (a client cannot hold a server's memory with watches). */
const MAX_WATCHERS = 10_000;

export class Health {
  readonly #status = new Map<string, HealthStatus>([['', 'SERVING']]);
  readonly #watchers = new Watchers<HealthStatus>(MAX_WATCHERS, 'health watchers');
  #closed = false;

  /** Set a service's status (`''`: the whole server); watchers hear of a change. */
  set(service: string, status: HealthStatus): void {
    if (this.#status.get(service) === status) return;
    this.#status.set(service, status);
    this.#watchers.notify(service, status);
  }

  get(service: string): HealthStatus | undefined {
    return this.#status.get(service);
  }

  /**
   * Every known service NOT_SERVING (the server is closing); watches end once they have said so,
   * so they do not hold up the graceful close.
   */
  shutdown(): void {
    this.#closed = true;
    for (const service of [...this.#status.keys()]) this.set(service, 'NOT_SERVING');
    // Watches of services the server does not know end too.
    for (const service of [...this.#watchers.keys()]) this.#watchers.notify(service, 'NOT_SERVING');
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

  async *#watch(service: string, signal: AbortSignal): AsyncGenerator<{ status: HealthStatus }> {
    const statuses = follow(
      () => this.#status.get(service) ?? 'SERVICE_UNKNOWN',
      (push) => this.#watchers.add(service, push),
      signal,
      () => this.#closed,
    );
    for await (const status of statuses) yield { status };
  }
}
