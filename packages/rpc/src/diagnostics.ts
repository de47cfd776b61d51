/**
 * `node:diagnostics_channel` events (in Node; none in a browser), for tracing and metrics without wrapping the API. Publishing
 * costs nothing while nobody subscribes.
 *
 * - `weft:rpc:client:end` — `{ path, code, durationMs, attempts, endpoint }` when a channel call
 *   settles (`code` 0 = OK; `endpoint` the last `host:port` tried, if any);
 * - `weft:rpc:client:retry` — `{ path, attempt, endpoint, code }` when an attempt is retried;
 * - `weft:rpc:endpoint:state` — `{ endpoint, state, ejected }` when an endpoint changes state;
 * - `weft:rpc:server:end` — `{ path, code, durationMs, peer }` when a served call ends.
 *
 * The `end` events report the calls that began while their channel had a subscriber.
 *
 * Tracers hook the tracing channels of `tracing.ts` instead.
 */
import { INERT_PUBLISHER, onRuntime, type Publisher } from './runtime-hooks.js';

// Inert until the runtime provides its channels (Node's adapter does on import; a browser never).
export let clientEnd: Publisher = INERT_PUBLISHER;
export let clientRetry: Publisher = INERT_PUBLISHER;
export let endpointState: Publisher = INERT_PUBLISHER;
export let serverEnd: Publisher = INERT_PUBLISHER;

onRuntime((hooks) => {
  clientEnd = hooks.channel('weft:rpc:client:end');
  clientRetry = hooks.channel('weft:rpc:client:retry');
  endpointState = hooks.channel('weft:rpc:endpoint:state');
  serverEnd = hooks.channel('weft:rpc:server:end');
});
