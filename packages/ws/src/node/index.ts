/**
 * `@weft/ws/node`: WebSocket client and server over Node sockets, shaped like the ws package.
 * @packageDocumentation
 */

export type { PerMessageDeflateOptions } from '../deflate/negotiate.js';
export { WebSocketServer, type WebSocketServerEvents, type WebSocketServerOptions } from './server.js';
export { createWebSocketStream } from './stream.js';
export {
  CLOSED,
  CLOSING,
  CONNECTING,
  OPEN,
  WebSocket,
  type WebSocketEvents,
  type WebSocketOptions,
} from './websocket.js';
