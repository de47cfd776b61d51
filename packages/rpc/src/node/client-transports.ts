/**
 * The Node client transports a client makes per endpoint — mux, pooled or ws — from the client's
 * options, with those options checked when the client is created rather than at the first call.
 */

import type { ClientTransport } from '../call.js';
import { checkPositive } from '../check-option.js';
import type { ClientOptions } from '../client.js';
import type { TransportKind } from '../client-types.js';
import type { Logger } from '../log.js';
import { checkMuxOptions, type MuxClientOptions, MuxClientTransport } from './mux-transport.js';
import { PooledClientTransport, resolvePooledOptions } from './pooled-transport.js';
import { wsClientTransport } from './ws-transport.js';

/** A function making the client's transport to one endpoint. */
export function transportFactory(
  kind: TransportKind,
  options: ClientOptions,
  maxFrameBytes: number,
  logger: Logger | undefined,
): (host: string, port: number) => ClientTransport {
  const ka = options.keepalive;
  if (ka !== undefined) {
    checkPositive('keepalive.intervalMs', ka.intervalMs);
    if (ka.timeoutMs !== undefined) checkPositive('keepalive.timeoutMs', ka.timeoutMs);
  }
  const muxOptions: MuxClientOptions =
    ka === undefined || options.mux?.session?.keepAlive !== undefined
      ? (options.mux ?? {})
      : { ...options.mux, session: { ...options.mux?.session, keepAlive: ka } };
  const make = (host: string, port: number): ClientTransport => {
    if (kind === 'mux') return new MuxClientTransport({ host, port }, muxOptions, logger);
    if (kind === 'pooled') {
      return new PooledClientTransport(
        { host, port },
        { maxFrameBytes, ...(ka === undefined ? {} : { keepalive: ka }), ...options.pooled },
        logger,
      );
    }
    return wsClientTransport(
      { host, port },
      { maxFrameBytes, ...(ka === undefined ? {} : { heartbeatMs: ka.intervalMs }), ...options.ws },
      logger,
    );
  };
  // Transports are made per endpoint when first used: check their options now.
  if (kind === 'pooled') resolvePooledOptions({ maxFrameBytes, ...options.pooled });
  if (kind === 'mux') checkMuxOptions(options.mux ?? {});
  return make;
}
