/**
 * `node:diagnostics_channel` events, for tracing and metrics without wrapping the API. Publishing
 * costs nothing while nobody subscribes.
 *
 * - `weft:rpc:client:end` — `{ path, code, durationMs, attempts, endpoint }` when a channel call
 *   settles (`code` 0 = OK; `endpoint` the last `host:port` tried, if any);
 * - `weft:rpc:client:retry` — `{ path, attempt, endpoint, code }` when an attempt is retried;
 * - `weft:rpc:endpoint:state` — `{ endpoint, state, ejected }` when an endpoint changes state;
 * - `weft:rpc:server:end` — `{ path, code, durationMs, peer }` when a served call ends.
 *
 * Tracers hook the tracing channels of `tracing.ts` instead.
 */
import dc from 'node:diagnostics_channel';

export const clientEnd = dc.channel('weft:rpc:client:end');
export const clientRetry = dc.channel('weft:rpc:client:retry');
export const endpointState = dc.channel('weft:rpc:endpoint:state');
export const serverEnd = dc.channel('weft:rpc:server:end');
