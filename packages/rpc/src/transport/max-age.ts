/** Connection max age, shared by the transports' servers. Internal to the package. */

import { unrefTimer } from '../timer.js';

/** A connection's max-age timer (jittered ±10% so connections made together do not all leave at once). @internal */
export function maxAgeTimer(ageMs: number, retire: () => void): NodeJS.Timeout | undefined {
  if (ageMs <= 0) return undefined;
  const timer = setTimeout(retire, ageMs * (0.9 + 0.2 * Math.random()));
  unrefTimer(timer);
  return timer;
}
