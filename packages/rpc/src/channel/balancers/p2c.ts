import type { Balancer } from '../balancer.js';
import type { EndpointView } from '../endpoint.js';

/**
 * Power of two choices: two available endpoints drawn at random (in proportion to their weights,
 * with replacement), the call to the one with the lower load score `(inFlight + 1) × latency EWMA` —
 * load-aware like least-loaded, without its herd effect (Mitzenmacher; Finagle's and Linkerd's
 * default). Equal load gives each endpoint its weight's share. An endpoint without a latency yet
 * scores as the mean of the others, so a new one is tried rather than shunned.
 */
export function powerOfTwoChoices(random: () => number = Math.random): Balancer {
  return {
    name: 'p2c',
    pick(endpoints) {
      let total = 0;
      let count = 0;
      let latencySum = 0;
      let known = 0;
      for (const e of endpoints) {
        if (!e.available) continue;
        count++;
        total += e.weight;
        if (!Number.isNaN(e.latencyMs)) {
          latencySum += e.latencyMs;
          known++;
        }
      }
      if (count === 0) return undefined;
      const draw = (): EndpointView => {
        let x = random() * total;
        let last: EndpointView | undefined;
        for (const e of endpoints) {
          if (!e.available) continue;
          last = e;
          x -= e.weight;
          if (x < 0) return e;
        }
        return last!;
      };
      const a = draw();
      if (count === 1) return a;
      const b = draw();
      if (a === b) return a;
      const mean = known === 0 ? 1 : latencySum / known;
      const score = (e: EndpointView) =>
        (e.inFlight + 1) * (Number.isNaN(e.latencyMs) ? mean : Math.max(e.latencyMs, 0.001));
      return score(b) < score(a) ? b : a;
    },
  };
}
