import { noScope, onRuntime, type ScopeStore } from './runtime-hooks.js';

/** Largest timeout gRPC's `grpc-timeout` can carry: 8 digits of hours (~11,400 years). */
export const MAX_TIMEOUT_MS = 99_999_999 * 3_600_000;

const UNITS: [string, number][] = [
  ['n', 1e-6],
  ['u', 1e-3],
  ['m', 1],
  ['S', 1000],
  ['M', 60_000],
  ['H', 3_600_000],
];

/**
 * Encode a timeout as gRPC's `grpc-timeout` header: `TimeoutValue TimeoutUnit`, at most 8 digits
 * (PROTOCOL-HTTP2 "Timeout"). Uses the finest unit that fits, rounding up so the server never sees
 * a later deadline than the client's.
 */
export function encodeTimeout(ms: number): string {
  const clamped = Math.max(0, ms);
  for (const [unit, size] of UNITS) {
    const value = Math.ceil(clamped / size);
    if (value < 1e8) return `${value}${unit}`;
  }
  return '99999999H';
}

const TIMEOUT = /^(\d{1,8})([HMSmun])$/;

/** Parse `grpc-timeout` to milliseconds, or undefined if malformed. */
export function parseTimeout(header: string): number | undefined {
  const m = TIMEOUT.exec(header);
  if (m === null) return undefined;
  const size = UNITS.find(([u]) => u === m[2])![1];
  return Math.min(Number(m[1]) * size, MAX_TIMEOUT_MS);
}

/** What a server handler's outgoing calls inherit: its deadline (epoch ms) and its cancellation. */
export interface CallScope {
  readonly deadline: number | undefined;
  /**
   * Call `listener` when the handler's call is cancelled (at once if it already is); the returned
   * function unregisters it. Not an AbortSignal listener: a handler may fan out to any number of
   * calls without Node's listener-leak warning.
   */
  onCancel(listener: () => void): () => void;
}

/**
 * The scope of the handler running now, so its outgoing calls inherit min(own, parent) deadlines:
 * Node's `AsyncLocalStorage` once the runtime provides it; without one, no call has a scope.
 */
export let callScope: ScopeStore<CallScope> = noScope();

onRuntime((hooks) => {
  callScope = hooks.scopeStore<CallScope>();
});

/**
 * The deadline (epoch ms) of a new call: the earliest of its own `timeoutMs`, its `deadline`, and
 * the enclosing handler's deadline; undefined if none applies. The clock is read only for a
 * `timeoutMs` (most calls have none).
 */
export function effectiveDeadline(
  timeoutMs: number | undefined,
  deadline: Date | number | undefined,
  parent: number | undefined,
): number | undefined {
  let result = parent;
  if (timeoutMs !== undefined) result = Math.min(result ?? Number.POSITIVE_INFINITY, Date.now() + timeoutMs);
  if (deadline !== undefined) {
    const at = typeof deadline === 'number' ? deadline : deadline.getTime();
    result = Math.min(result ?? Number.POSITIVE_INFINITY, at);
  }
  return result;
}
