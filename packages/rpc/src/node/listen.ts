import net, { type Server } from 'node:net';
import type { ServerTlsOptions } from './tls-options.js';
import type { WsListenOptions } from './ws-transport.js';

/** Where and how a transport listens. @internal */
export interface ListenAt {
  host: string;
  port: number;
  tls: ServerTlsOptions | undefined;
  maxFrameBytes: number;
  /** Close connections gracefully after about this long (±10%), so clients rebalance; 0 = never. */
  maxConnectionAgeMs: number;
  /** How long a client may take for its WebSocket upgrade (TLS: `tls.handshakeTimeout`). */
  handshakeTimeoutMs: number;
  /** The ws transport's own options. */
  ws: WsListenOptions | undefined;
}

/** Listen and resolve with the bound address. @internal */
export function listenOn(
  server: Server,
  host: string,
  port: number,
): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the server has no TCP address'));
        return;
      }
      resolve({ host: address.address, port: address.port });
    });
  });
}

/**
 * Graceful close of a listening transport: stop accepting, let `drain` finish for up to `graceMs`,
 * then `kill` what is left. @internal
 */
export async function closeListener(
  server: Server,
  graceMs: number,
  connections: { drain: () => Promise<void>; kill: () => void },
): Promise<void> {
  // net.Server's close: stop accepting, keep the open connections. (http.Server's own close() would
  // also drop connections it considers idle — upgraded WebSockets among them — cutting calls short.)
  const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  // Connections that drained closed themselves (flushing what they had queued); only what is still
  // open when the grace period ends is cut.
  if ((await Promise.race([connections.drain(), grace])) === 'late') connections.kill();
  if ((await Promise.race([closed, grace])) === 'late') connections.kill();
  clearTimeout(timer);
  await closed;
}
