/**
 * `@weft/ws`: WebSocket (RFC 6455). Today the pure protocol core — frames, close payloads, UTF-8
 * validation, the handshake key; the connection state machine and the Node client and server come
 * with the rest of issue 5.
 * @packageDocumentation
 */
export { type CloseInfo, encodeClose, parseClose } from './close.js';
export { WsConnection, type WsConnectionOptions, type WsEvent, type WsState } from './connection.js';
export { WsError, type WsErrorCode, WsUsageError } from './errors.js';
export { type Frame, FrameParser, type FrameParserOptions, unmask } from './frame/decode.js';
export { type EncodeOptions, encodeFrame } from './frame/encode.js';
export {
  CloseCode,
  DEFAULT_MAX_PAYLOAD,
  isValidCloseCode,
  MAX_CONTROL_PAYLOAD,
  Opcode,
} from './frame/types.js';
export { acceptKey, isValidKey, WS_GUID } from './handshake.js';
export { isValidUtf8, Utf8Validator } from './utf8.js';
