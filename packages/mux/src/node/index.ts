/**
 * `@weft/mux/node`: the Node adapter — sessions over sockets, streams as Duplexes, a server.
 * @packageDocumentation
 */
export { CallbackStream, type StreamCallbacks } from './callback-stream.js';
export {
  type HeaderList,
  type HeaderObject,
  headerValue,
  type OutgoingHeaders,
  toFields,
  toObject,
} from './headers.js';
export {
  type ConnectOptions,
  connect,
  createSecureServer,
  createServer,
  type MuxServer,
  type MuxServerEvents,
  type SecureMuxServer,
  type SecureServerOptions,
  type ServerOptions,
  type StreamHandler,
} from './server.js';
export { MuxSession, type MuxSessionEvents, type RequestOptions, type SessionOptions } from './session.js';
export { MuxStream, type MuxStreamEvents } from './stream.js';
