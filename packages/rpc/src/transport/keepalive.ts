/**
 * Keepalive for the envelope transports: a connection quiet for `intervalMs` sends Ping; no input
 * within `timeoutMs` after it means a dead peer, and `dead()` tears the connection down (its calls
 * fail UNAVAILABLE and are retried where that is safe).
 * Internal to the package (the entry points export only what their users need of it).
 */

import { unrefTimer } from '../timer.js';

/** Client option `keepalive`. */
export interface KeepaliveOptions {
  /** Ping a connection after this long without input. */
  intervalMs: number;
  /** No answer within this long: the peer is dead. Default 20 s (as @weft/mux). */
  timeoutMs?: number;
}

export interface Keepalive {
  /** Input arrived: the peer is alive. */
  input(): void;
  stop(): void;
}

export function startKeepalive(options: KeepaliveOptions, ping: () => void, dead: () => void): Keepalive {
  const interval = options.intervalMs;
  const timeout = options.timeoutMs ?? 20_000;
  let lastInput = Date.now();
  let sentAt = 0;
  const timer = setInterval(
    () => {
      const now = Date.now();
      if (sentAt > 0) {
        if (now - sentAt >= timeout) {
          clearInterval(timer);
          dead();
        }
        return;
      }
      if (now - lastInput >= interval) {
        sentAt = now;
        ping();
      }
    },
    Math.max(10, Math.min(interval, timeout) / 2),
  );
  unrefTimer(timer);
  return {
    input() {
      lastInput = Date.now();
      sentAt = 0;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
