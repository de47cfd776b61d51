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
  /** Labels from discovery (zone, version, ...), for balancers that route by them. */
  attributes?: Readonly<Record<string, string>>;
}

/** Bounds on address attributes from discovery: entries, key and value lengths. */
export const MAX_ATTRIBUTES = 16;
const ATTRIBUTE_KEY = /^[A-Za-z0-9._-]{1,64}$/;

/** `value` as address attributes, or undefined when it is not a small map of short strings. */
export function checkAttributes(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length > MAX_ATTRIBUTES) return undefined;
  for (const [k, v] of entries) {
    if (!ATTRIBUTE_KEY.test(k) || typeof v !== 'string' || v.length > 256) return undefined;
  }
  return Object.fromEntries(entries) as Record<string, string>;
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
