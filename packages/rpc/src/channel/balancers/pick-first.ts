import type { Balancer } from '../balancer.js';

/** Every call to the first available endpoint in the resolver's order; the next one if it fails. */
export const pickFirst: Balancer = {
  name: 'pick-first',
  pick: (endpoints) => endpoints.find((e) => e.available),
};
