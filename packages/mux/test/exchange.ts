import type { Connection } from '../src/connection.js';
import type { ConnectionEvent } from '../src/events.js';

/**
 * Move bytes between a client and a server core until both are quiet, collecting each side's
 * events (those from `receive()` and those caused by commands).
 */
export function exchange(
  c: Connection,
  s: Connection,
  ce: ConnectionEvent[],
  se: ConnectionEvent[],
  rounds = 50,
): void {
  for (let i = 0; i < rounds; i++) {
    const a = c.takeOutbound();
    const b = s.takeOutbound();
    if (a.length === 0 && b.length === 0) return;
    if (a.length > 0) se.push(...s.receive(Buffer.concat(a)));
    if (b.length > 0) ce.push(...c.receive(Buffer.concat(b)));
    ce.push(...c.takeEvents());
    se.push(...s.takeEvents());
  }
}
