import type { Balancer } from '../balancer.js';
import type { EndpointView } from '../endpoint.js';

/** Points per endpoint (times its weight) on the ring: enough for an even spread of keys. */
const POINTS = 100;

/** FNV-1a, 32 bits, then MurmurHash3's finaliser: FNV alone spreads near-identical keys unevenly. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Consistent hashing on the call's `routingKey` (sticky routing: the same key goes to the same
 * endpoint while it is available; adding or removing one endpoint moves only its share of keys).
 * Walks the ring past unavailable endpoints. Calls without a key go to a random available endpoint.
 */
export function consistentHash(random: () => number = Math.random): Balancer {
  let ring: { point: number; key: string }[] = [];
  let members = '';
  const rebuild = (endpoints: readonly EndpointView[]) => {
    const id = endpoints.map((e) => `${e.key}*${e.weight}`).join(',');
    if (id === members) return;
    members = id;
    ring = endpoints
      .flatMap((e) =>
        Array.from({ length: Math.max(1, Math.round(POINTS * e.weight)) }, (_, i) => ({
          point: hash(`${e.key}#${i}`),
          key: e.key,
        })),
      )
      .sort((x, y) => x.point - y.point);
  };
  return {
    name: 'consistent-hash',
    pick(endpoints, info) {
      const available = endpoints.filter((e) => e.available);
      if (available.length === 0) return undefined;
      if (info.routingKey === undefined) return available[Math.floor(random() * available.length)];
      rebuild(endpoints);
      const byKey = new Map(endpoints.map((e) => [e.key, e]));
      const h = hash(info.routingKey);
      let lo = 0;
      let hi = ring.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ring[mid]!.point < h) lo = mid + 1;
        else hi = mid;
      }
      for (let i = 0; i < ring.length; i++) {
        const e = byKey.get(ring[(lo + i) % ring.length]!.key);
        if (e?.available) return e;
      }
      return undefined;
    },
  };
}
