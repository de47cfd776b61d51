/**
 * Resolvers turn a client's `target` into addresses, and keep them current. A resolver reports the
 * whole list every time it changes; the channel keeps the last list through resolution errors.
 */

/** One endpoint a target resolves to. */
export interface Address {
  host: string;
  port: number;
  /** Relative share of calls (DNS SRV weight, registry metadata); default 1. */
  weight?: number;
}

/** The source of a channel's addresses. */
export interface Resolver {
  /**
   * Begin: `onUpdate` receives the full list whenever it changes (the first time as soon as it is
   * known); `onError` a failed resolution (the channel keeps its last list and may call `refresh`).
   */
  start(onUpdate: (addresses: Address[]) => void, onError: (err: Error) => void): void;
  /** The channel cannot reach what it has: resolve again soon (resolvers rate-limit this). */
  refresh(): void;
  close(): void;
}

/** `host:port` of an address, brackets around IPv6 hosts. */
export function addressKey(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
