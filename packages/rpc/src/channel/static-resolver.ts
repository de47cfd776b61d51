import type { Address, Resolver } from './resolver.js';

/** `static:///host:port,host:port`: a fixed list, reported once. */
export class StaticResolver implements Resolver {
  readonly #addresses: Address[];
  #closed = false;

  constructor(addresses: Address[]) {
    this.#addresses = addresses;
  }

  start(onUpdate: (addresses: Address[]) => void): void {
    queueMicrotask(() => {
      if (!this.#closed) onUpdate(this.#addresses);
    });
  }

  refresh(): void {}

  close(): void {
    this.#closed = true;
  }
}
