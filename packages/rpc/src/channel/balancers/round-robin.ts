import type { Balancer } from '../balancer.js';

/** Calls in turn over the available endpoints. */
export function roundRobin(): Balancer {
  let next = 0;
  return {
    name: 'round-robin',
    pick(endpoints) {
      for (let i = 0; i < endpoints.length; i++) {
        const e = endpoints[next++ % endpoints.length]!;
        if (e.available) return e;
      }
      return undefined;
    },
  };
}
