/**
 * The plain HTTP connections of a ws listener (a page and its scripts, served by `onRequest`):
 * browsers keep them open for minutes, so closing the listener ends them — at once when idle,
 * after their response otherwise — rather than waiting out its grace period for them.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

/** Track `server`'s plain HTTP connections; the returned function ends them. @internal */
export function trackPageConnections(server: http.Server): () => void {
  // Connection → its requests in flight (upgraded connections are not pages: they leave the map).
  const pages = new Map<Socket, number>();
  let closing = false;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    if (!pages.has(socket)) socket.once('close', () => pages.delete(socket));
    pages.set(socket, (pages.get(socket) ?? 0) + 1);
    if (closing) res.shouldKeepAlive = false;
    res.once('close', () => {
      const left = (pages.get(socket) ?? 1) - 1;
      if (pages.has(socket)) pages.set(socket, left);
      if (closing && left === 0) socket.destroy();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage) => pages.delete(req.socket));
  return () => {
    closing = true;
    for (const [socket, inFlight] of pages) if (inFlight === 0) socket.destroy();
  };
}
